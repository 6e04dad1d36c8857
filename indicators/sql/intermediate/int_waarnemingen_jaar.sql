-- Yearly value per delivered area, source and variable (current deliveries only).
--   flows (stroom) are summed over the calendar year; the year is complete when every period is there
--   (12 months, 4 quarters, 2 halves) with a value;
--   stocks (voorraad) take the last period of the year that has a value; complete when that is the
--   year's last period;
--   police figures delivered per year (2019JJ00) are used as they are; monthly ones are summed;
--   survey results (enquete) keep their n, sd and effective sample size (n_eff: the delivered n_effectief,
--   else n / ontwerpeffect_standaard).
-- Only the crime codes an indicator uses: a CBS file has 59, the catalogue needs about ten.
WITH politie AS (
    SELECT p.*
    FROM staging.stg_politie__misdrijven AS p
    SEMI JOIN (SELECT variabele FROM marts.dim_indicator_component WHERE bron = 'politie') AS c
        ON c.variabele = p.soort_misdrijf
    WHERE p.vervangen_door IS NULL
),

politie_jaar AS (
    SELECT 'politie' AS bron, soort_misdrijf AS variabele, gebied_code, niveau, jaar,
           CAST(aantal AS DOUBLE) AS waarde, NULL::BIGINT AS n, NULL::DOUBLE AS sd, NULL::DOUBLE AS n_eff,
           CAST(aantal IS NOT NULL AS INTEGER) AS perioden, 1 AS verwacht,
           jaar AS bronjaar
    FROM politie
    WHERE periode_type = 'jaar'
),

politie_maand AS (
    SELECT 'politie' AS bron, soort_misdrijf AS variabele, gebied_code, niveau, jaar,
           CAST(sum(aantal) AS DOUBLE) AS waarde, NULL::BIGINT AS n, NULL::DOUBLE AS sd, NULL::DOUBLE AS n_eff,
           count(aantal) AS perioden, 12 AS verwacht,
           jaar AS bronjaar
    FROM politie
    WHERE periode_type = 'maand'
    GROUP BY ALL
),

partner AS (
    SELECT p.*, v.soort, v.eenheid
    FROM staging.stg_partner__waarnemingen AS p
    JOIN marts.dim_variabele AS v USING (bron, variabele)
    WHERE p.vervangen_door IS NULL
),

-- flows: the sum of the year's periods; stocks: the last period of the year with a value
partner_jaar AS (
    SELECT bron, variabele, gebied_code, niveau, jaar,
           sum(waarde) AS waarde, NULL::BIGINT AS n, NULL::DOUBLE AS sd, NULL::DOUBLE AS n_eff,
           count(waarde) AS perioden,
           any_value(periode_type) AS periode_type
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
           any_value(periode_type)
    FROM partner, marts.dim_instellingen AS s
    WHERE soort <> 'stroom'
    GROUP BY bron, variabele, gebied_code, niveau, jaar
),

bevolking_geleverd AS (
    SELECT gebied_code, niveau, jaar, variabele, CAST(waarde AS DOUBLE) AS waarde
    FROM (
        UNPIVOT (SELECT gebied_code, niveau, jaar, inwoners, huishoudens, woningen
                 FROM staging.stg_bevolking__kerncijfers WHERE vervangen_door IS NULL)
        ON inwoners, huishoudens, woningen INTO NAME variabele VALUE waarde
    )
    WHERE waarde IS NOT NULL
),

-- Denominators for years CBS has not published yet: the nearest earlier year, carried forward per area
-- up to the last year any source has data for (flagged through bronjaar <> jaar).
laatste_jaar AS (
    SELECT max(jaar) AS jaar FROM (
        SELECT max(jaar) AS jaar FROM politie
        UNION ALL SELECT max(jaar) FROM staging.stg_partner__waarnemingen WHERE vervangen_door IS NULL
        UNION ALL SELECT max(jaar) FROM bevolking_geleverd
    )
),

-- Only while the area exists: a buurt that was split stops at its last area division (dim_gebied.geldig_tot).
bevolking_jaren AS (
    SELECT b.gebied_code, b.niveau, b.variabele, y.jaar
    FROM (SELECT gebied_code, any_value(niveau) AS niveau, variabele, min(jaar) AS eerste
          FROM bevolking_geleverd GROUP BY gebied_code, variabele) AS b
    CROSS JOIN laatste_jaar AS l
    LEFT JOIN marts.dim_gebied AS d USING (gebied_code)
    CROSS JOIN LATERAL (SELECT unnest(range(b.eerste, coalesce(d.geldig_tot, l.jaar) + 1)) AS jaar) AS y
),

bevolking AS (
    SELECT 'bevolking' AS bron, j.variabele, j.gebied_code, j.niveau, j.jaar, g.waarde,
           NULL::BIGINT AS n, NULL::DOUBLE AS sd, NULL::DOUBLE AS n_eff, 1 AS perioden, 1 AS verwacht,
           g.jaar AS bronjaar
    FROM bevolking_jaren AS j
    ASOF JOIN bevolking_geleverd AS g
        ON g.gebied_code = j.gebied_code AND g.variabele = j.variabele AND j.jaar >= g.jaar
),

leefbaarometer AS (
    SELECT 'leefbaarometer' AS bron, 'lbm' AS variabele, gebied_code, niveau, jaar, lbm AS waarde,
           NULL::BIGINT AS n, NULL::DOUBLE AS sd, NULL::DOUBLE AS n_eff, CAST(lbm IS NOT NULL AS INTEGER) AS perioden,
           1 AS verwacht,
           jaar AS bronjaar
    FROM staging.stg_leefbaarometer__scores
    WHERE vervangen_door IS NULL
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
           jaar
    FROM partner_jaar
    UNION ALL SELECT * FROM bevolking
    UNION ALL SELECT * FROM leefbaarometer
)

-- with how the variable aggregates to wijk and gemeente (dim_variabele: som, gewogen_gemiddelde, geen)
SELECT
    a.bron, a.variabele, a.gebied_code, a.niveau, a.jaar, a.waarde, a.n, a.sd, a.n_eff, a.perioden, a.verwacht,
    a.perioden = a.verwacht AND a.waarde IS NOT NULL AS volledig,
    a.bronjaar,
    v.aggregatie
FROM alles AS a
JOIN marts.dim_variabele AS v USING (bron, variabele)
WHERE a.niveau IS NOT NULL
