-- Hotspot signals (regiegroep): per buurt, watched series and month, the count against the same time of
-- year in the previous years. Expected = mean of the same month and its two neighbours in each of the
-- previous hotspot_jaren years (up to 9 months of history; at least 3 needed), floored at 0.1 so that a
-- series that was always 0 can still signal; p = P(X >= count) for X ~ Poisson(expected), one-sided.
-- Signal: p < hotspot_p and count >= hotspot_minimum (settings in catalogue.yaml / meta.instellingen).
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

reeksen AS (
    SELECT * FROM marts.dim_hotspot_reeks
),

maanden AS (
    SELECT 'politie' AS bron, p.soort_misdrijf AS variabele, p.gebied_code, p.jaar, p.maand,
           CAST(p.aantal AS DOUBLE) AS aantal, p.load_id
    FROM staging.stg_politie__misdrijven AS p
    WHERE p.vervangen_door IS NULL AND p.periode_type = 'maand' AND p.niveau = 'buurt'
    UNION ALL
    SELECT g.bron, g.variabele, g.gebied_code, g.jaar, g.periode_nr, g.waarde, g.load_id
    FROM staging.stg_partner__waarnemingen AS g
    WHERE g.vervangen_door IS NULL AND g.periode_type = 'maand' AND g.niveau = 'buurt'
),

gevolgd AS (
    SELECT m.*, m.jaar * 12 + m.maand - 1 AS maandnr
    FROM maanden AS m
    SEMI JOIN reeksen AS r USING (bron, variabele)
    WHERE m.aantal IS NOT NULL
),

-- the months that count as "the same time of year" earlier: 11, 12, 13, 23, 24, 25, ... months back
terugblik AS (
    SELECT unnest(list_concat(
        [12 * k - 1 FOR k IN range(1, s.hotspot_jaren + 1)],
        [12 * k FOR k IN range(1, s.hotspot_jaren + 1)],
        [12 * k + 1 FOR k IN range(1, s.hotspot_jaren + 1)])) AS terug
    FROM instellingen AS s
),

eerder AS (
    SELECT h.bron, h.variabele, h.gebied_code, h.maandnr + t.terug AS maandnr,
           avg(h.aantal) AS gemiddelde_eerder, count(h.aantal) AS maanden_eerder
    FROM gevolgd AS h
    CROSS JOIN terugblik AS t
    GROUP BY ALL
),

met_verwachting AS (
    SELECT g.*, e.gemiddelde_eerder, coalesce(e.maanden_eerder, 0) AS maanden_eerder
    FROM gevolgd AS g
    LEFT JOIN eerder AS e USING (bron, variabele, gebied_code, maandnr)
)

SELECT
    m.gebied_code,
    'WK' || substr(m.gebied_code, 3, 6)                            AS wijk_code,
    m.bron,
    m.variabele,
    r.titel                                                        AS reeks,
    m.jaar,
    m.maand,
    make_date(m.jaar, m.maand, 1)                                  AS periode,
    m.aantal,
    m.gemiddelde_eerder                                            AS verwacht,
    m.maanden_eerder,
    CASE WHEN m.maanden_eerder >= 3 THEN wm_poisson_sf(m.aantal, greatest(m.gemiddelde_eerder, 0.1)) END AS p_waarde,
    coalesce(m.maanden_eerder >= 3
             AND wm_poisson_sf(m.aantal, greatest(m.gemiddelde_eerder, 0.1)) < s.hotspot_p
             AND m.aantal >= s.hotspot_minimum, false)             AS signaal,
    m.load_id
FROM met_verwachting AS m
CROSS JOIN instellingen AS s
JOIN reeksen AS r USING (bron, variabele)
