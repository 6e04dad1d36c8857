-- Leefbaarometer 3.0 scores (external reference series): total score and its five dimensions.
WITH source AS (
    SELECT * FROM raw.leefbaarometer__scores
),

renamed AS (
    SELECT
        trim(gebied_code)                    AS gebied_code,
        wm_niveau(trim(gebied_code))         AS niveau,
        nullif(trim(gebied_naam), '')        AS gebied_naam,
        CAST(trim(jaar) AS INTEGER)          AS jaar,
        wm_getal(lbm)                        AS lbm,
        wm_getal(afw)                        AS afw,
        wm_getal(fys)                        AS fys,
        wm_getal(onv)                        AS onv,
        wm_getal(soc)                        AS soc,
        wm_getal(vrz)                        AS vrz,
        wm_getal(won)                        AS won,
        _load_id                             AS load_id,
        _rij                                 AS rij
    FROM source
)

SELECT
    *,
    lead(load_id) OVER (PARTITION BY gebied_code, jaar ORDER BY load_id) AS vervangen_door
FROM renamed
