-- Coverage of the current deliveries: per source, wijk and year how many rows and distinct periods
-- there are. The Data page turns this into the coverage matrix.
WITH politie AS (
    SELECT 'politie' AS bron, gebied_code, jaar, periode, periode_type
    FROM staging.stg_politie__misdrijven
    WHERE vervangen_door IS NULL
),

partner AS (
    SELECT bron, gebied_code, jaar, periode, periode_type
    FROM staging.stg_partner__waarnemingen
    WHERE vervangen_door IS NULL
),

bevolking AS (
    SELECT 'bevolking' AS bron, gebied_code, jaar, CAST(jaar AS VARCHAR) AS periode, 'jaar' AS periode_type
    FROM staging.stg_bevolking__kerncijfers
    WHERE vervangen_door IS NULL
),

leefbaarometer AS (
    SELECT 'leefbaarometer' AS bron, gebied_code, jaar, CAST(jaar AS VARCHAR) AS periode, 'jaar' AS periode_type
    FROM staging.stg_leefbaarometer__scores
    WHERE vervangen_door IS NULL
),

alles AS (
    SELECT * FROM politie
    UNION ALL SELECT * FROM partner
    UNION ALL SELECT * FROM bevolking
    UNION ALL SELECT * FROM leefbaarometer
)

SELECT
    bron,
    CASE wm_niveau(gebied_code)
        WHEN 'buurt' THEN 'WK' || substr(gebied_code, 3, 6)
        WHEN 'wijk' THEN gebied_code
    END                        AS wijk_code,
    jaar,
    any_value(periode_type)    AS periode_type,
    count(*)                   AS rijen,
    count(DISTINCT periode)    AS perioden
FROM alles
WHERE wm_niveau(gebied_code) IN ('buurt', 'wijk')
GROUP BY ALL
ORDER BY bron, wijk_code, jaar
