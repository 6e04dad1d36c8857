-- Registered crimes per area, crime type and period (CBS/Politie 47018NED yearly, 47022NED monthly).
-- An empty or "." value means "not published": aantal is NULL, never 0.
WITH source AS (
    SELECT * FROM raw.politie__misdrijven
),

renamed AS (
    SELECT
        trim("WijkenEnBuurten")                                    AS gebied_code,
        wm_niveau(trim("WijkenEnBuurten"))                         AS niveau,
        trim("SoortMisdrijf")                                      AS soort_misdrijf,
        trim("Perioden")                                           AS periode,
        CAST(left(trim("Perioden"), 4) AS INTEGER)                 AS jaar,
        CASE WHEN substr(trim("Perioden"), 5, 2) = 'MM' THEN 'maand' ELSE 'jaar' END AS periode_type,
        CASE WHEN substr(trim("Perioden"), 5, 2) = 'MM'
             THEN CAST(right(trim("Perioden"), 2) AS INTEGER) END  AS maand,
        CAST(wm_getal("GeregistreerdeMisdrijven") AS BIGINT)       AS aantal,
        _load_id                                                   AS load_id,
        _rij                                                       AS rij
    FROM source
)

SELECT
    *,
    lead(load_id) OVER (PARTITION BY gebied_code, soort_misdrijf, periode ORDER BY load_id) AS vervangen_door
FROM renamed
