-- One row per area code with its level, place in the hierarchy, name, geometry and the years it is valid.
-- Validity: an area is valid from the first area division (KWB year or gebieden --jaar) that contains it
-- until the last one. The oldest known division of a gemeente is assumed to hold for earlier years, the
-- newest for later years (geldig_van / geldig_tot NULL = open). Codes only seen without a year are always valid.
WITH bevolking AS (
    SELECT gebied_code, jaar, gemeentenaam, load_id
    FROM staging.stg_bevolking__kerncijfers
    WHERE vervangen_door IS NULL
),

gebieden AS (
    SELECT gebied_code, jaar, gebied_naam, geometrie, load_id
    FROM staging.stg_gebieden__gebieden
    WHERE vervangen_door IS NULL
),

delivered AS (
    SELECT gebied_code, jaar FROM bevolking
    UNION ALL
    SELECT gebied_code, jaar FROM gebieden
),

-- A buurt code implies its wijk and gemeente (CBS codes nest: BU05970100 -> WK059701 -> GM0597).
codes AS (
    SELECT gebied_code, jaar FROM delivered
    UNION ALL
    SELECT 'WK' || substr(gebied_code, 3, 6), jaar FROM delivered WHERE wm_niveau(gebied_code) = 'buurt'
    UNION ALL
    SELECT 'GM' || substr(gebied_code, 3, 4), jaar FROM delivered WHERE wm_niveau(gebied_code) IN ('buurt', 'wijk')
),

per_code AS (
    SELECT
        gebied_code,
        wm_niveau(gebied_code)            AS niveau,
        'GM' || substr(gebied_code, 3, 4) AS gemeente_code,
        min(jaar)                         AS eerste_jaar,
        max(jaar)                         AS laatste_jaar
    FROM codes
    WHERE wm_niveau(gebied_code) IS NOT NULL
    GROUP BY ALL
),

per_gemeente AS (
    SELECT gemeente_code, min(eerste_jaar) AS gm_eerste, max(laatste_jaar) AS gm_laatste
    FROM per_code
    GROUP BY ALL
),

namen AS (
    SELECT gebied_code, arg_max(gebied_naam, coalesce(jaar, 0) * 1000000 + load_id) AS gebied_naam
    FROM gebieden
    WHERE gebied_naam IS NOT NULL
    GROUP BY ALL
),

geometrie AS (
    SELECT gebied_code, arg_max(geometrie, coalesce(jaar, 0) * 1000000 + load_id) AS geometrie
    FROM gebieden
    WHERE geometrie IS NOT NULL
    GROUP BY ALL
),

gemeentenamen AS (
    SELECT 'GM' || substr(gebied_code, 3, 4) AS gemeente_code, arg_max(gemeentenaam, jaar) AS gemeentenaam
    FROM bevolking
    WHERE gemeentenaam IS NOT NULL
    GROUP BY ALL
)

SELECT
    c.gebied_code,
    c.niveau,
    coalesce(n.gebied_naam, CASE WHEN c.niveau = 'gemeente' THEN gn.gemeentenaam END, c.gebied_code) AS gebied_naam,
    c.gemeente_code,
    CASE WHEN c.niveau = 'buurt' THEN 'WK' || substr(c.gebied_code, 3, 6) END  AS wijk_code,
    CASE WHEN c.eerste_jaar IS NULL OR c.eerste_jaar = g.gm_eerste THEN NULL ELSE c.eerste_jaar END   AS geldig_van,
    CASE WHEN c.laatste_jaar IS NULL OR c.laatste_jaar = g.gm_laatste THEN NULL ELSE c.laatste_jaar END AS geldig_tot,
    geo.geometrie
FROM per_code AS c
LEFT JOIN per_gemeente AS g USING (gemeente_code)
LEFT JOIN namen AS n USING (gebied_code)
LEFT JOIN geometrie AS geo USING (gebied_code)
LEFT JOIN gemeentenamen AS gn ON gn.gemeente_code = c.gemeente_code
ORDER BY c.gebied_code
