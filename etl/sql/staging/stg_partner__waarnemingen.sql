-- Partner deliveries in the long template: corporatie, welzijn, gemeente, enquete, politie_week.
-- n, sd, n_effectief: survey rows only (respondents, standard deviation, effective sample size).
-- periode: 2019 (jaar), 2019-H1 (halfjaar), 2019-Q3 (kwartaal), 2019-03 (maand), 2025-W07 (ISO week).
-- jaar: the year of the code (of a week: its ISO week-numbering year, so 2026-W01 starting on Monday
-- 29 December 2025 has jaar 2026); periode_nr: half, quarter, month or week number; periode_start: the first
-- day of the period (of a week: its ISO Monday, the Monday of the week holding 4 January plus 7 x (week - 1)).
WITH source AS (
    SELECT * FROM raw.partner__waarnemingen
),

renamed AS (
    SELECT
        lower(trim(bron))                            AS bron,
        trim(gebied_code)                            AS gebied_code,
        wm_niveau(trim(gebied_code))                 AS niveau,
        upper(trim(periode))                         AS periode,
        CAST(left(trim(periode), 4) AS INTEGER)      AS jaar,
        CASE
            WHEN length(trim(periode)) = 4 THEN 'jaar'
            WHEN upper(substr(trim(periode), 6, 1)) = 'H' THEN 'halfjaar'
            WHEN upper(substr(trim(periode), 6, 1)) = 'Q' THEN 'kwartaal'
            WHEN upper(substr(trim(periode), 6, 1)) = 'W' THEN 'week'
            ELSE 'maand'
        END                                          AS periode_type,
        CASE
            WHEN length(trim(periode)) = 4 THEN 1
            WHEN upper(substr(trim(periode), 6, 1)) IN ('H', 'Q', 'W') THEN CAST(substr(trim(periode), 7) AS INTEGER)
            ELSE CAST(substr(trim(periode), 6) AS INTEGER)
        END                                          AS periode_nr,
        lower(trim(variabele))                       AS variabele,
        wm_getal(waarde)                             AS waarde,
        CAST(wm_getal(n) AS BIGINT)                  AS n,
        wm_getal(sd)                                 AS sd,
        -- effective sample size after weighting (n / design effect); NULL when not delivered
        wm_getal(n_effectief)                        AS n_effectief,
        _load_id                                     AS load_id,
        _rij                                         AS rij
    FROM source
),

started AS (
    SELECT
        *,
        CASE periode_type
            WHEN 'jaar' THEN make_date(jaar, 1, 1)
            WHEN 'halfjaar' THEN make_date(jaar, 6 * (periode_nr - 1) + 1, 1)
            WHEN 'kwartaal' THEN make_date(jaar, 3 * (periode_nr - 1) + 1, 1)
            WHEN 'maand' THEN make_date(jaar, periode_nr, 1)
            WHEN 'week' THEN make_date(jaar, 1, 4)
                             + CAST(7 * (periode_nr - 1) - (isodow(make_date(jaar, 1, 4)) - 1) AS INTEGER)
        END                                          AS periode_start
    FROM renamed
)

SELECT
    *,
    lead(load_id) OVER (PARTITION BY bron, gebied_code, periode, variabele ORDER BY load_id) AS vervangen_door
FROM started
