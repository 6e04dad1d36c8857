-- Inhabitants, households and dwellings per area and year: CBS Kerncijfers wijken en buurten (KWB)
-- and the municipality's own long file. "." (missing or secret) becomes NULL.
WITH source_kwb AS (
    SELECT * FROM raw.cbs__kerncijfers
),

source_lang AS (
    SELECT * FROM raw.gemeente__bevolking
),

renamed AS (
    SELECT
        trim("WijkenEnBuurten")                        AS gebied_code,
        _jaar                                          AS jaar,
        CAST(wm_getal("AantalInwoners") AS BIGINT)     AS inwoners,
        CAST(wm_getal("HuishoudensTotaal") AS BIGINT)  AS huishoudens,
        CAST(wm_getal("Woningvoorraad") AS BIGINT)     AS woningen,
        nullif(trim("Gemeentenaam"), '')               AS gemeentenaam,
        'cbs-kwb'                                      AS variant,
        _load_id                                       AS load_id,
        _rij                                           AS rij
    FROM source_kwb
    UNION ALL
    SELECT
        trim(gebied_code),
        CAST(trim(jaar) AS INTEGER),
        CAST(wm_getal(inwoners) AS BIGINT),
        CAST(wm_getal(huishoudens) AS BIGINT),
        CAST(wm_getal(woningen) AS BIGINT),
        NULL,
        'lang',
        _load_id,
        _rij
    FROM source_lang
)

SELECT
    gebied_code,
    wm_niveau(gebied_code) AS niveau,
    * EXCLUDE (gebied_code),
    lead(load_id) OVER (PARTITION BY gebied_code, jaar ORDER BY load_id) AS vervangen_door
FROM renamed
