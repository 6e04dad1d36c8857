-- Crosswalks between area divisions (bronsoort omzetting): the share of area van_code that lies in naar_code.
WITH source AS (
    SELECT * FROM raw.omzetting__omzettingen
),

renamed AS (
    SELECT
        _van_indeling                 AS van_indeling,
        trim(van_code)                AS van_code,
        _naar_indeling                AS naar_indeling,
        trim(naar_code)               AS naar_code,
        wm_getal(aandeel)             AS aandeel,
        _load_id                      AS load_id,
        _rij                          AS rij
    FROM source
)

SELECT
    *,
    -- a newer crosswalk between the same two divisions replaces the whole mapping of a source area
    CASE WHEN load_id < max(load_id) OVER (PARTITION BY van_indeling, naar_indeling, van_code)
         THEN max(load_id) OVER (PARTITION BY van_indeling, naar_indeling, van_code) END AS vervangen_door
FROM renamed
