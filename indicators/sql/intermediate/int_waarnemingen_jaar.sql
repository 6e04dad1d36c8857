-- Yearly value per area of the analysis division, source and variable (current deliveries only).
--   every delivered value is first carried onto the analysis division (marts.fct_omzetting, etl/indeling.py):
--   the delivery's own division (meta.load_indeling) and its area code give the target area(s) and the share
--   (aandeel); counts are multiplied by the share, survey means weighted by share x n; the Leefbaarometer score
--   (not additive) only where the whole area is the same area. Where two loads give a value for the same target
--   area and period (police: year), the newest load (police: division) counts (as staging does for the same
--   code). `omzetting` is the rank of
--   the least direct way any part was carried (0 own division, 1 same code, 2 crosswalk, 3 geometry).
--   flows (stroom) are summed over the calendar year; the year is complete when every period is there
--   (12 months, 4 quarters, 2 halves) with a value;
--   stocks (voorraad) take the last period of the year that has a value; complete when that is the
--   year's last period;
--   police figures delivered per year (2019JJ00) are used as they are; monthly ones are summed;
--   weekly partner values (ISO weeks: the police's recent figures) are left out: they are no yearly figure;
--   survey results (enquete) keep their n, sd and effective sample size (n_eff: the delivered n_effectief,
--   else n / ontwerpeffect_standaard).
-- Only the crime codes an indicator uses: a CBS file has 59, the catalogue needs about ten.
-- A code its delivery's division does not hold (rows written straight into raw, Leefbaarometer codes, which
-- are not checked) keeps its own code; a code of the division that cannot be carried (naar_code NULL) is left out.
WITH omzetting AS (
    SELECT van_indeling, van_code, naar_code, aandeel, rang FROM marts.fct_omzetting
),

-- Police figures are summed per source area, year and kind of period (months or the year) before they are
-- carried: one row per area-year instead of one per month (a national monthly file has ~14 M rows). Where
-- two divisions give a value for the same target area and year, the division with the newest delivery counts
-- (within one division staging already keeps the newest load per code and period).
politie_bron AS (
    SELECT p.soort_misdrijf, p.gebied_code, p.jaar, p.periode_type, l.indeling,
           sum(p.aantal) AS aantal, count(p.aantal) AS perioden, max(p.load_id) AS load_id
    FROM staging.stg_politie__misdrijven AS p
    SEMI JOIN (SELECT variabele FROM marts.dim_indicator_component WHERE bron = 'politie') AS c
        ON c.variabele = p.soort_misdrijf
    LEFT JOIN meta.load_indeling AS l USING (load_id)
    WHERE p.vervangen_door IS NULL
    GROUP BY ALL
),

politie_omgezet AS (
    SELECT b.soort_misdrijf, coalesce(o.naar_code, b.gebied_code) AS gebied_code, b.jaar, b.periode_type,
           b.aantal * coalesce(o.aandeel, 1) AS aantal, b.perioden, coalesce(o.rang, 0) AS rang,
           b.indeling AS van_indeling, b.load_id
    FROM politie_bron AS b
    LEFT JOIN omzetting AS o ON o.van_indeling = b.indeling AND o.van_code = b.gebied_code
    WHERE NOT (o.van_code IS NOT NULL AND o.naar_code IS NULL)
),

politie AS (
    SELECT soort_misdrijf, gebied_code, wm_niveau(gebied_code) AS niveau, jaar, periode_type,
           -- a target area is unpublished when any part of it is; its months are those every part has
           CASE WHEN count(aantal) = count(*) THEN sum(aantal) END AS aantal, min(perioden) AS perioden,
           max(rang) AS omzetting, arg_max(van_indeling, rang) AS van_indeling
    FROM (
        SELECT *, arg_max(van_indeling, load_id) OVER (PARTITION BY soort_misdrijf, gebied_code, jaar, periode_type)
                  AS nieuwste_indeling
        FROM politie_omgezet
    )
    WHERE van_indeling IS NOT DISTINCT FROM nieuwste_indeling
    GROUP BY soort_misdrijf, gebied_code, jaar, periode_type
),

politie_jaar AS (
    SELECT 'politie' AS bron, soort_misdrijf AS variabele, gebied_code, niveau, jaar,
           CAST(aantal AS DOUBLE) AS waarde, NULL::BIGINT AS n, NULL::DOUBLE AS sd, NULL::DOUBLE AS n_eff,
           CAST(aantal IS NOT NULL AS INTEGER) AS perioden, 1 AS verwacht,
           jaar AS bronjaar, omzetting, van_indeling
    FROM politie
    WHERE periode_type = 'jaar'
),

politie_maand AS (
    SELECT 'politie' AS bron, soort_misdrijf AS variabele, gebied_code, niveau, jaar,
           CAST(aantal AS DOUBLE) AS waarde, NULL::BIGINT AS n, NULL::DOUBLE AS sd, NULL::DOUBLE AS n_eff,
           perioden, 12 AS verwacht,
           jaar AS bronjaar, omzetting, van_indeling
    FROM politie
    WHERE periode_type = 'maand'
),

partner_omgezet AS (
    SELECT p.bron, p.variabele, coalesce(o.naar_code, p.gebied_code) AS gebied_code, p.periode, p.periode_type,
           p.periode_nr, p.jaar, v.soort, v.aggregatie, coalesce(o.aandeel, 1) AS aandeel, p.waarde, p.n, p.sd,
           p.n_effectief, coalesce(o.rang, 0) AS rang, l.indeling AS van_indeling, p.load_id,
           max(p.load_id) OVER (PARTITION BY p.bron, p.variabele, coalesce(o.naar_code, p.gebied_code), p.periode)
               AS nieuwste
    FROM staging.stg_partner__waarnemingen AS p
    JOIN marts.dim_variabele AS v USING (bron, variabele)
    LEFT JOIN meta.load_indeling AS l USING (load_id)
    LEFT JOIN omzetting AS o ON o.van_indeling = l.indeling AND o.van_code = p.gebied_code
    WHERE p.vervangen_door IS NULL AND NOT (o.van_code IS NOT NULL AND o.naar_code IS NULL)
      -- weekly values (the police's recent figures, bron politie_week) feed the 14-day view only, never a year
      AND p.periode_type <> 'week'
      -- a value that does not add up is carried only where the whole area is the same area
      AND (v.aggregatie <> 'geen' OR o.van_code IS NULL OR (o.aandeel = 1 AND o.rang <= 1))
),

-- counts: the shares added up; means and percentages: weighted by share x n (one whole part: as delivered)
partner AS (
    SELECT bron, variabele, gebied_code, wm_niveau(gebied_code) AS niveau, periode, periode_type, periode_nr, jaar,
           soort,
           CASE WHEN count(waarde) < count(*) THEN NULL
                WHEN aggregatie = 'som' THEN sum(aandeel * waarde)
                WHEN count(*) = 1 AND max(aandeel) = 1 THEN any_value(waarde)
                ELSE sum(aandeel * n * waarde) / nullif(sum(aandeel * n), 0) END             AS waarde,
           CASE WHEN count(*) = 1 AND max(aandeel) = 1 THEN any_value(n)
                ELSE CAST(round(sum(aandeel * n)) AS BIGINT) END                            AS n,
           CASE WHEN count(*) = 1 AND max(aandeel) = 1 THEN any_value(sd)
                ELSE sqrt(sum(aandeel * n * sd * sd) / nullif(sum(aandeel * n), 0)) END     AS sd,
           CASE WHEN count(*) = 1 AND max(aandeel) = 1 THEN any_value(n_effectief)
                ELSE sum(aandeel * n_effectief) END                                         AS n_effectief,
           max(rang) AS omzetting, arg_max(van_indeling, rang) AS van_indeling
    FROM partner_omgezet
    WHERE load_id = nieuwste
    GROUP BY bron, variabele, gebied_code, periode, periode_type, periode_nr, jaar, soort, aggregatie
),

-- flows: the sum of the year's periods; stocks: the last period of the year with a value
partner_jaar AS (
    SELECT bron, variabele, gebied_code, niveau, jaar,
           sum(waarde) AS waarde, NULL::BIGINT AS n, NULL::DOUBLE AS sd, NULL::DOUBLE AS n_eff,
           count(waarde) AS perioden,
           any_value(periode_type) AS periode_type,
           max(omzetting) AS omzetting, arg_max(van_indeling, omzetting) AS van_indeling
    FROM partner
    WHERE soort = 'stroom'
    GROUP BY bron, variabele, gebied_code, niveau, jaar
    UNION ALL
    SELECT bron, variabele, gebied_code, niveau, jaar,
           arg_max(waarde, periode_nr) FILTER (WHERE waarde IS NOT NULL),
           arg_max(n, periode_nr) FILTER (WHERE waarde IS NOT NULL),
           arg_max(sd, periode_nr) FILTER (WHERE waarde IS NOT NULL),
           arg_max(coalesce(n_effectief, n / s.ontwerpeffect_standaard), periode_nr) FILTER (WHERE waarde IS NOT NULL),
           max(periode_nr) FILTER (WHERE waarde IS NOT NULL),
           any_value(periode_type),
           max(omzetting), arg_max(van_indeling, omzetting)
    FROM partner, marts.dim_instellingen AS s
    WHERE soort <> 'stroom'
    GROUP BY bron, variabele, gebied_code, niveau, jaar
),

bevolking_omgezet AS (
    SELECT coalesce(o.naar_code, b.gebied_code) AS gebied_code, b.jaar, u.variabele,
           CAST(u.waarde AS DOUBLE) * coalesce(o.aandeel, 1) AS waarde, coalesce(o.rang, 0) AS rang,
           l.indeling AS van_indeling, b.load_id,
           max(b.load_id) OVER (PARTITION BY coalesce(o.naar_code, b.gebied_code), b.jaar, u.variabele) AS nieuwste
    FROM staging.stg_bevolking__kerncijfers AS b
    CROSS JOIN LATERAL (VALUES ('inwoners', b.inwoners), ('huishoudens', b.huishoudens), ('woningen', b.woningen))
        AS u(variabele, waarde)
    LEFT JOIN meta.load_indeling AS l USING (load_id)
    LEFT JOIN omzetting AS o ON o.van_indeling = l.indeling AND o.van_code = b.gebied_code
    WHERE b.vervangen_door IS NULL AND NOT (o.van_code IS NOT NULL AND o.naar_code IS NULL)
),

-- a target area is unpublished when any part of it is ("." in the KWB), as for the police figures
bevolking_geleverd AS (
    SELECT * FROM (
        SELECT gebied_code, wm_niveau(gebied_code) AS niveau, jaar, variabele,
               CASE WHEN count(waarde) = count(*) THEN sum(waarde) END AS waarde,
               max(rang) AS omzetting, arg_max(van_indeling, rang) AS van_indeling
        FROM bevolking_omgezet
        WHERE load_id = nieuwste
        GROUP BY ALL
    )
    WHERE waarde IS NOT NULL
),

-- Denominators for years CBS has not published yet: the nearest earlier year, carried forward per area
-- up to the last year any source has data for (flagged through bronjaar <> jaar).
laatste_jaar AS (
    SELECT max(jaar) AS jaar FROM (
        SELECT max(jaar) AS jaar FROM politie
        UNION ALL SELECT max(jaar) FROM staging.stg_partner__waarnemingen
                  WHERE vervangen_door IS NULL AND periode_type <> 'week'
        UNION ALL SELECT max(jaar) FROM bevolking_geleverd
    )
),

-- Every area of the analysis division exists in every year (history is shown on that one division).
bevolking_jaren AS (
    SELECT b.gebied_code, b.niveau, b.variabele, y.jaar
    FROM (SELECT gebied_code, any_value(niveau) AS niveau, variabele, min(jaar) AS eerste
          FROM bevolking_geleverd GROUP BY gebied_code, variabele) AS b
    CROSS JOIN laatste_jaar AS l
    CROSS JOIN LATERAL (SELECT unnest(range(b.eerste, l.jaar + 1)) AS jaar) AS y
),

bevolking AS (
    SELECT 'bevolking' AS bron, j.variabele, j.gebied_code, j.niveau, j.jaar, g.waarde,
           NULL::BIGINT AS n, NULL::DOUBLE AS sd, NULL::DOUBLE AS n_eff, 1 AS perioden, 1 AS verwacht,
           g.jaar AS bronjaar, g.omzetting, g.van_indeling
    FROM bevolking_jaren AS j
    ASOF JOIN bevolking_geleverd AS g
        ON g.gebied_code = j.gebied_code AND g.variabele = j.variabele AND j.jaar >= g.jaar
),

leefbaarometer AS (
    SELECT 'leefbaarometer' AS bron, 'lbm' AS variabele, coalesce(o.naar_code, s.gebied_code) AS gebied_code,
           wm_niveau(coalesce(o.naar_code, s.gebied_code)) AS niveau, s.jaar, s.lbm AS waarde,
           NULL::BIGINT AS n, NULL::DOUBLE AS sd, NULL::DOUBLE AS n_eff, CAST(s.lbm IS NOT NULL AS INTEGER) AS perioden,
           1 AS verwacht,
           s.jaar AS bronjaar, coalesce(o.rang, 0) AS omzetting, l.indeling AS van_indeling
    FROM staging.stg_leefbaarometer__scores AS s
    LEFT JOIN meta.load_indeling AS l USING (load_id)
    LEFT JOIN omzetting AS o ON o.van_indeling = l.indeling AND o.van_code = s.gebied_code
    WHERE s.vervangen_door IS NULL AND (o.van_code IS NULL OR (o.aandeel = 1 AND o.rang <= 1))
    QUALIFY s.load_id = max(s.load_id) OVER (PARTITION BY coalesce(o.naar_code, s.gebied_code), s.jaar)
),

alles AS (
    SELECT j.* FROM politie_jaar AS j
    -- an unpublished yearly figure gives way to the months when they are there
    WHERE j.waarde IS NOT NULL OR NOT EXISTS (SELECT 1 FROM politie_maand AS m WHERE m.variabele = j.variabele
                                              AND m.gebied_code = j.gebied_code AND m.jaar = j.jaar)
    UNION ALL
    SELECT m.* FROM politie_maand AS m
    ANTI JOIN (SELECT * FROM politie_jaar WHERE waarde IS NOT NULL) AS j USING (variabele, gebied_code, jaar)
    UNION ALL
    SELECT bron, variabele, gebied_code, niveau, jaar, waarde, n, sd, n_eff, perioden,
           CASE periode_type WHEN 'maand' THEN 12 WHEN 'kwartaal' THEN 4 WHEN 'halfjaar' THEN 2 ELSE 1 END,
           jaar, omzetting, van_indeling
    FROM partner_jaar
    UNION ALL SELECT * FROM bevolking
    UNION ALL SELECT * FROM leefbaarometer
)

-- with how the variable aggregates to wijk and gemeente (dim_variabele: som, gewogen_gemiddelde, geen)
SELECT
    a.bron, a.variabele, a.gebied_code, a.niveau, a.jaar, a.waarde, a.n, a.sd, a.n_eff, a.perioden, a.verwacht,
    a.perioden = a.verwacht AND a.waarde IS NOT NULL AS volledig,
    a.bronjaar,
    v.aggregatie,
    a.omzetting,
    a.van_indeling
FROM alles AS a
JOIN marts.dim_variabele AS v USING (bron, variabele)
WHERE a.niveau IS NOT NULL
