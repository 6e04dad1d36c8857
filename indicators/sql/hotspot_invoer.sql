-- Input of the hotspot signal (build step fct_hotspots, indicators/hotspots.py): per buurt and watched series
-- (dim_hotspot_reeks) the monthly counts of the window, the last hotspot_maanden months up to each gemeente's
-- latest month with data (the regiegroep's "what is happening now"), and of the hotspot_jaren years and a
-- month before it that the window's history needs. Older months are not read, so the cost stays the same as
-- the history grows. The test itself is sequential in time (a signalled month leaves the history of later
-- months) and runs in Python on the numbers of this table; names come back by a join afterwards.
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

reeksen AS (
    SELECT bron, variabele, row_number() OVER (ORDER BY bron, variabele) AS reeks_nr FROM marts.dim_hotspot_reeks
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

gevolgd AS (
    SELECT m.gebied_code, r.reeks_nr, m.jaar * 12 + m.maand - 1 AS maandnr, m.aantal, m.load_id,
           substr(m.gebied_code, 3, 4) AS gemeente
    FROM maanden AS m
    JOIN reeksen AS r USING (bron, variabele)
),

-- the window of each gemeente (month numbers jaar * 12 + maand - 1) and the first month its history needs
vensters AS (
    SELECT v.gemeente, row_number() OVER (ORDER BY v.gemeente) - 1 AS gemeente_id,
           v.laatste - s.hotspot_maanden + 1 AS eerste, v.laatste,
           v.laatste - s.hotspot_maanden + 1 - 12 * s.hotspot_jaren - 1 AS eerste_historie
    FROM (SELECT gemeente, max(maandnr) AS laatste FROM gevolgd GROUP BY gemeente) AS v, instellingen AS s
),

binnen AS (
    SELECT g.*, v.gemeente_id, v.eerste, v.laatste
    FROM gevolgd AS g
    JOIN vensters AS v USING (gemeente)
    WHERE g.maandnr >= v.eerste_historie
),

-- one number per series (series x buurt), in a fixed order
series AS (
    SELECT reeks_nr, gebied_code, row_number() OVER (ORDER BY reeks_nr, gebied_code) - 1 AS reeks_id
    FROM (SELECT DISTINCT reeks_nr, gebied_code FROM binnen)
)

SELECT s.reeks_id, b.gemeente_id, b.reeks_nr, b.gebied_code, b.maandnr, b.aantal, b.load_id, b.eerste, b.laatste
FROM binnen AS b
JOIN series AS s USING (reeks_nr, gebied_code)
