-- Partner deliveries in the long template: corporatie, welzijn, gemeente, enquete.
-- n, sd, n_effectief: survey rows only (respondents, standard deviation, effective sample size).
-- periode: 2019 (jaar), 2019-H1 (halfjaar), 2019-Q3 (kwartaal), 2019-03 (maand).
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
            ELSE 'maand'
        END                                          AS periode_type,
        CASE
            WHEN length(trim(periode)) = 4 THEN 1
            WHEN upper(substr(trim(periode), 6, 1)) IN ('H', 'Q') THEN CAST(substr(trim(periode), 7) AS INTEGER)
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
)

SELECT
    *,
    lead(load_id) OVER (PARTITION BY bron, gebied_code, periode, variabele ORDER BY load_id) AS vervangen_door
FROM renamed
