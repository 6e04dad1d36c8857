-- Area names and geometry (GeoJSON, WGS84) and CBS code lists.
WITH source AS (
    SELECT * FROM raw.gebieden__gebieden
),

renamed AS (
    SELECT
        trim(gebied_code)              AS gebied_code,
        wm_niveau(trim(gebied_code))   AS niveau,
        nullif(trim(gebied_naam), '')  AS gebied_naam,
        geometrie,
        _jaar                          AS jaar,
        _load_id                       AS load_id,
        _rij                           AS rij
    FROM source
)

SELECT
    *,
    lead(load_id) OVER (PARTITION BY gebied_code, jaar ORDER BY load_id) AS vervangen_door
FROM renamed
