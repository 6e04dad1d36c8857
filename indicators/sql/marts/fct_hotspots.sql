-- Hotspot signals (regiegroep): per buurt, watched series and month, the count against the same time of
-- year in the previous years. Expected = mean of the same month and its two neighbours in each of the
-- previous hotspot_jaren years (up to 9 months of history; at least 3 needed), floored at 0.1 so that a
-- series that was always 0 can still signal; p = P(X >= count) for X ~ Poisson(expected), one-sided.
-- Signal: p < hotspot_p and count >= hotspot_minimum (settings in catalogue.yaml / meta.instellingen).
-- Rows: the last hotspot_maanden months (default 48) up to each gemeente's latest month, the months the
-- regiegroep page shows (signals of up to 24 months, counts against the three years before). Older months are
-- not tested, so the cost stays the same as the history grows.
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

reeksen AS (
    SELECT *, row_number() OVER (ORDER BY bron, variabele) AS reeks_nr FROM marts.dim_hotspot_reeks
),

maanden AS (
    SELECT 'politie' AS bron, p.soort_misdrijf AS variabele, p.gebied_code, p.jaar, p.maand,
           CAST(p.aantal AS DOUBLE) AS aantal, p.load_id
    FROM staging.stg_politie__misdrijven AS p
    WHERE p.vervangen_door IS NULL AND p.periode_type = 'maand' AND p.niveau = 'buurt' AND p.aantal IS NOT NULL
    UNION ALL
    SELECT g.bron, g.variabele, g.gebied_code, g.jaar, g.periode_nr, g.waarde, g.load_id
    FROM staging.stg_partner__waarnemingen AS g
    WHERE g.vervangen_door IS NULL AND g.periode_type = 'maand' AND g.niveau = 'buurt' AND g.waarde IS NOT NULL
),

-- the window: the last hotspot_maanden months up to each gemeente's latest month with data (the regiegroep's
-- "what is happening now"), plus the hotspot_jaren years and a month before it that the expectation needs
gevolgd_alle AS (
    SELECT m.*, r.reeks_nr, m.jaar * 12 + m.maand - 1 AS maandnr, substr(m.gebied_code, 3, 4) AS gemeente
    FROM maanden AS m
    JOIN reeksen AS r USING (bron, variabele)
),

vensters AS (
    SELECT v.gemeente, v.laatste - s.hotspot_maanden + 1 AS eerste, v.laatste,
           v.laatste - s.hotspot_maanden + 1 - 12 * s.hotspot_jaren - 1 AS eerste_historie
    FROM (SELECT gemeente, max(maandnr) AS laatste FROM gevolgd_alle GROUP BY gemeente) AS v, instellingen AS s
),

-- every watched series (series number, buurt number) gets one integer key per month:
-- (reeks_nr * 1,000,000 + buurt_nr) * 100,000 + month number (jaar * 12 + maand - 1); a month's neighbours
-- and the same month in earlier years are then key - 1, key + 1 and key - 12 k
buurten AS (
    SELECT gebied_code, row_number() OVER () AS buurt_nr FROM (SELECT DISTINCT gebied_code FROM gevolgd_alle)
),

gevolgd AS MATERIALIZED (
    -- only numbers: the names come back with the series and buurt numbers in the final select
    SELECT g.reeks_nr, b.buurt_nr, g.maandnr, g.aantal, g.load_id, v.eerste, v.laatste,
           (g.reeks_nr * 1000000 + b.buurt_nr) * 100000 + g.maandnr AS sleutel
    FROM gevolgd_alle AS g
    JOIN vensters AS v USING (gemeente)
    JOIN buurten AS b USING (gebied_code)
    WHERE g.maandnr >= v.eerste_historie
),

-- Counts of each month and its two neighbours: every month counts for itself and the months beside it
-- (also when a month in between is missing) ...
drie_maanden AS (
    SELECT g.sleutel + d.naast AS sleutel, sum(g.aantal) AS som3, count(*) AS aantal3,
           min(g.eerste) AS eerste, min(g.laatste) AS laatste
    FROM gevolgd AS g
    CROSS JOIN (VALUES (-1), (0), (1)) AS d(naast)
    CROSS JOIN instellingen AS s
    -- only the months that are some window month's history
    WHERE g.maandnr + d.naast BETWEEN g.eerste - 12 * s.hotspot_jaren AND g.laatste - 12
    GROUP BY ALL
),

-- ... exactly 1, 2, ... hotspot_jaren years before the month they are the history of (months in the window).
eerder AS (
    SELECT d.sleutel + 12 * k.jaren_terug AS sleutel,
           sum(d.som3) / sum(d.aantal3) AS gemiddelde_eerder, sum(d.aantal3) AS maanden_eerder
    FROM drie_maanden AS d
    CROSS JOIN (SELECT unnest(range(1, hotspot_jaren + 1)) AS jaren_terug FROM instellingen) AS k
    WHERE d.sleutel % 100000 + 12 * k.jaren_terug BETWEEN d.eerste AND d.laatste
    GROUP BY ALL
),

met_verwachting AS MATERIALIZED (
    SELECT g.*, e.gemiddelde_eerder, coalesce(e.maanden_eerder, 0) AS maanden_eerder
    FROM gevolgd AS g
    LEFT JOIN eerder AS e USING (sleutel)
    WHERE g.maandnr >= g.eerste
),

-- The one-sided Poisson tail once per distinct (count, expected) pair: expected is a mean of at most
-- 3 x hotspot_jaren small counts, so there are few distinct pairs. P(X >= 0) = 1 needs no tail.
staarten AS (
    SELECT aantal, verwacht, wm_poisson_sf(aantal, verwacht) AS p
    FROM (SELECT DISTINCT aantal, greatest(gemiddelde_eerder, 0.1) AS verwacht FROM met_verwachting
          WHERE maanden_eerder >= 3 AND aantal > 0)
),

getoetst AS (
    SELECT
        m.*,
        CASE WHEN m.maanden_eerder < 3 THEN NULL WHEN m.aantal = 0 THEN 1.0 ELSE t.p END AS p_waarde
    FROM met_verwachting AS m
    LEFT JOIN staarten AS t ON t.aantal = m.aantal AND t.verwacht = greatest(m.gemiddelde_eerder, 0.1)
)

SELECT
    b.gebied_code,
    'WK' || substr(b.gebied_code, 3, 6)                            AS wijk_code,
    r.bron,
    r.variabele,
    r.titel                                                        AS reeks,
    m.maandnr // 12                                                AS jaar,
    m.maandnr % 12 + 1                                             AS maand,
    make_date(m.maandnr // 12, m.maandnr % 12 + 1, 1)              AS periode,
    m.aantal,
    m.gemiddelde_eerder                                            AS verwacht,
    m.maanden_eerder,
    m.p_waarde,
    coalesce(m.p_waarde < s.hotspot_fdr AND m.aantal >= s.hotspot_minimum, false) AS signaal,
    m.load_id
FROM getoetst AS m
CROSS JOIN instellingen AS s
JOIN reeksen AS r USING (reeks_nr)
JOIN buurten AS b USING (buurt_nr)
