-- Every area of every area division (gebiedsindeling, see etl/indeling.py): the codes the area deliveries of
-- that division name (gebieden: GeoJSON or a CBS code list; bevolking: KWB or the long file) and the wijken
-- and gemeenten their codes imply (BU05970100 -> WK059701 -> GM0597). A division only grows: a delivery that
-- covers part of it adds its codes and removes none. Names and geometry: the newest delivery of the division
-- that has them; a name missing there is taken from the same code in another division.
WITH indeling AS (
    SELECT load_id, indeling FROM meta.load_indeling
),

gebieden AS (
    SELECT i.indeling, g.gebied_code, g.gebied_naam, g.geometrie, g.load_id
    FROM staging.stg_gebieden__gebieden AS g
    JOIN indeling AS i USING (load_id)
    WHERE g.niveau IS NOT NULL
),

bevolking AS (
    SELECT i.indeling, b.gebied_code, b.gemeentenaam, b.load_id
    FROM staging.stg_bevolking__kerncijfers AS b
    JOIN indeling AS i USING (load_id)
    WHERE b.niveau IS NOT NULL
),

delivered AS (
    SELECT indeling, gebied_code, 'gebieden' AS bron FROM gebieden
    UNION
    SELECT indeling, gebied_code, 'bevolking' FROM bevolking
),

codes AS (
    SELECT indeling, gebied_code, bool_or(bron = 'gebieden') AS uit_gebiedenbestand
    FROM (
        SELECT indeling, gebied_code, bron FROM delivered
        UNION ALL
        SELECT indeling, 'WK' || substr(gebied_code, 3, 6), bron FROM delivered
        WHERE wm_niveau(gebied_code) = 'buurt'
        UNION ALL
        SELECT indeling, 'GM' || substr(gebied_code, 3, 4), bron FROM delivered
        WHERE wm_niveau(gebied_code) IN ('buurt', 'wijk')
    )
    GROUP BY ALL
),

namen AS (
    SELECT indeling, gebied_code, arg_max(gebied_naam, load_id) AS gebied_naam
    FROM gebieden
    WHERE gebied_naam IS NOT NULL
    GROUP BY ALL
),

namen_elders AS (
    SELECT gebied_code, arg_max(gebied_naam, wm_indeling_rang(indeling)::BIGINT * 10000000 + load_id) AS gebied_naam
    FROM gebieden
    WHERE gebied_naam IS NOT NULL
    GROUP BY ALL
),

geometrie AS (
    SELECT indeling, gebied_code, arg_max(geometrie, load_id) AS geometrie
    FROM gebieden
    WHERE geometrie IS NOT NULL
    GROUP BY ALL
),

-- a division without maps (a code list) shows the shape of the same code from the newest division that has one
geometrie_elders AS (
    SELECT gebied_code, arg_max(geometrie, wm_indeling_rang(indeling)::BIGINT * 10000000 + load_id) AS geometrie
    FROM gebieden
    WHERE geometrie IS NOT NULL
    GROUP BY ALL
),

gemeentenamen AS (
    SELECT 'GM' || substr(gebied_code, 3, 4) AS gemeente_code,
           arg_max(gemeentenaam, wm_indeling_rang(indeling)::BIGINT * 10000000 + load_id) AS gemeentenaam
    FROM bevolking
    WHERE gemeentenaam IS NOT NULL
    GROUP BY ALL
)

SELECT
    c.indeling,
    c.gebied_code,
    wm_niveau(c.gebied_code)                                                     AS niveau,
    coalesce(n.gebied_naam, ne.gebied_naam,
             CASE WHEN wm_niveau(c.gebied_code) = 'gemeente' THEN gn.gemeentenaam END, c.gebied_code)
                                                                                 AS gebied_naam,
    'GM' || substr(c.gebied_code, 3, 4)                                          AS gemeente_code,
    CASE WHEN wm_niveau(c.gebied_code) = 'buurt' THEN 'WK' || substr(c.gebied_code, 3, 6) END AS wijk_code,
    coalesce(geo.geometrie, ge.geometrie)                                        AS geometrie,
    geo.geometrie IS NOT NULL                                                    AS eigen_geometrie,
    c.uit_gebiedenbestand
FROM codes AS c
LEFT JOIN namen AS n USING (indeling, gebied_code)
LEFT JOIN namen_elders AS ne USING (gebied_code)
LEFT JOIN geometrie AS geo USING (indeling, gebied_code)
LEFT JOIN geometrie_elders AS ge USING (gebied_code)
LEFT JOIN gemeentenamen AS gn ON gn.gemeente_code = 'GM' || substr(c.gebied_code, 3, 4)
WHERE wm_niveau(c.gebied_code) IS NOT NULL
ORDER BY c.indeling, c.gebied_code
