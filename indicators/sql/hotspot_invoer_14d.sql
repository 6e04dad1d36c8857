-- Input of the 14-day hotspot signal (build step fct_hotspots_14d, indicators/hotspots.py): the police's
-- recent weekly figures (partner source politie_week, ISO weeks per buurt) of the series the monthly signal
-- watches (dim_hotspot_reeks, bron politie: the same SoortMisdrijf codes), summed over 14-day windows of two
-- ISO weeks. The windows are aligned per gemeente so that the latest ends with its latest delivered week
-- (the regiegroep's "laatste 14 dagen"); a window counts only when both its weeks were delivered. Window
-- numbers count 14-day steps since Monday 3 January 2000; a year is {per_jaar} windows (364 days). Kept: the
-- last {vensters} windows (the window tested) and the hotspot_jaren years and a window before them (their
-- history). {vensters} and {per_jaar} are filled in by indicators/hotspots.py.
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

reeksen AS (
    SELECT bron, variabele, row_number() OVER (ORDER BY bron, variabele) AS reeks_nr FROM marts.dim_hotspot_reeks
),

weken AS (
    SELECT w.bron, w.variabele, w.gebied_code, substr(w.gebied_code, 3, 4) AS gemeente,
           CAST((w.periode_start - DATE '2000-01-03') // 7 AS BIGINT) AS weeknr, w.periode_start,
           w.periode, w.waarde AS aantal, w.load_id
    FROM staging.stg_partner__waarnemingen AS w
    WHERE w.bron = 'politie_week' AND w.periode_type = 'week' AND w.niveau = 'buurt'
      AND w.vervangen_door IS NULL AND w.waarde IS NOT NULL
),

gevolgd AS (
    SELECT w.*, r.reeks_nr
    FROM weken AS w
    JOIN reeksen AS r ON r.bron = 'politie' AND r.variabele = w.variabele
),

-- per gemeente its latest delivered week; the windows end on it (its parity fixes the pairing of weeks)
laatste AS (
    SELECT gemeente, max(weeknr) AS laatste_week FROM gevolgd GROUP BY gemeente
),

vensters AS (
    SELECT g.gemeente, g.gebied_code, g.bron, g.reeks_nr,
           (g.weeknr - l.laatste_week % 2 + 1) // 2 AS vensternr,
           (l.laatste_week - l.laatste_week % 2 + 1) // 2 AS laatste_venster,
           sum(g.aantal) AS aantal, count(*) AS weken_geleverd, min(g.periode_start) AS periode_start,
           string_agg(g.periode, ' en ' ORDER BY g.weeknr) AS weken, max(g.load_id) AS load_id
    FROM gevolgd AS g
    JOIN laatste AS l USING (gemeente)
    GROUP BY ALL
),

binnen AS (
    SELECT v.*, dense_rank() OVER (ORDER BY v.gemeente) - 1 AS gemeente_id,
           v.laatste_venster - {vensters} + 1 AS eerste
    FROM vensters AS v, instellingen AS s
    WHERE v.weken_geleverd = 2
      AND v.vensternr >= v.laatste_venster - {vensters} + 1 - {per_jaar} * s.hotspot_jaren - 1
),

-- one number per series (series x buurt), in a fixed order
series AS (
    SELECT reeks_nr, gebied_code, row_number() OVER (ORDER BY reeks_nr, gebied_code) - 1 AS reeks_id
    FROM (SELECT DISTINCT reeks_nr, gebied_code FROM binnen)
)

SELECT s.reeks_id, b.gemeente_id, b.reeks_nr, b.gebied_code, b.bron, b.vensternr, b.aantal, b.periode_start,
       CAST(b.periode_start + 13 AS DATE) AS periode_eind, b.weken, b.load_id, b.eerste, b.laatste_venster
FROM binnen AS b
JOIN series AS s USING (reeks_nr, gebied_code)
