-- Indicator value per area and year: numerator / denominator x factor, or the survey mean / percentage.
-- Denominators come from the same year; when that year is not there (e.g. CBS not yet published) the
-- nearest earlier year is used and flagged (noemer_jaar <> jaar).
WITH componenten AS (
    SELECT *, count(*) OVER (PARTITION BY indicator, rol) AS variabelen
    FROM marts.dim_indicator_component
),

indicator AS (
    SELECT * FROM marts.dim_indicator
),

-- the numerator: the variable's value, or the sum of several (survey results are one variable: n and sd)
teller AS (
    SELECT c.indicator, w.gebied_code, w.niveau, w.jaar, w.waarde AS teller, w.n, w.sd,
           w.volledig AS teller_volledig, 1 AS teller_variabelen
    FROM componenten AS c
    JOIN int_waarnemingen AS w ON w.bron = c.bron AND w.variabele = c.variabele
    WHERE c.rol = 'teller' AND c.variabelen = 1 AND w.waarde IS NOT NULL
    UNION ALL
    SELECT
        c.indicator, w.gebied_code, w.niveau, w.jaar,
        sum(c.teken * w.waarde)                        AS teller,
        any_value(w.n)                                 AS n,
        any_value(w.sd)                                AS sd,
        bool_and(w.volledig)                           AS teller_volledig,
        count(*)                                       AS teller_variabelen
    FROM componenten AS c
    JOIN int_waarnemingen AS w ON w.bron = c.bron AND w.variabele = c.variabele
    WHERE c.rol = 'teller' AND c.variabelen > 1 AND w.waarde IS NOT NULL
    GROUP BY c.indicator, w.gebied_code, w.niveau, w.jaar
),

noemer AS (
    SELECT c.indicator, w.gebied_code, w.jaar, w.waarde AS noemer, w.bronjaar AS noemer_bronjaar,
           w.volledig AS noemer_volledig
    FROM componenten AS c
    JOIN int_waarnemingen AS w ON w.bron = c.bron AND w.variabele = c.variabele
    WHERE c.rol = 'noemer' AND c.variabelen = 1 AND w.waarde IS NOT NULL
    UNION ALL
    SELECT
        c.indicator, w.gebied_code, w.jaar,
        sum(w.waarde)                                  AS noemer,
        min(w.bronjaar)                                AS noemer_bronjaar,
        bool_and(w.volledig)                           AS noemer_volledig
    FROM componenten AS c
    JOIN int_waarnemingen AS w ON w.bron = c.bron AND w.variabele = c.variabele
    WHERE c.rol = 'noemer' AND c.variabelen > 1 AND w.waarde IS NOT NULL
    GROUP BY c.indicator, w.gebied_code, w.jaar
),

-- a numerator of several variables (e.g. the violent-crime codes) is complete only when every variable
-- the area has in any year is there this year too (one variable: always)
teller_compleet AS (
    SELECT t.*, t.teller_variabelen = max(t.teller_variabelen) OVER (PARTITION BY t.indicator, t.gebied_code)
                AS alle_variabelen
    FROM teller AS t
    SEMI JOIN (SELECT indicator FROM componenten WHERE rol = 'teller' AND variabelen > 1) USING (indicator)
    UNION ALL
    SELECT t.*, true
    FROM teller AS t
    SEMI JOIN (SELECT indicator FROM componenten WHERE rol = 'teller' AND variabelen = 1) USING (indicator)
),

-- the denominator of the same year, else of the nearest earlier year (ASOF); the exact match first, as a
-- plain join, since almost every value has one (population figures are carried forward already)
zelfde_jaar AS (
    SELECT t.*, n.noemer, n.noemer_bronjaar AS noemer_jaar, n.noemer_volledig,
           n.jaar IS NOT NULL OR NOT i.heeft_noemer AS gevonden
    FROM teller_compleet AS t
    JOIN indicator AS i USING (indicator)
    LEFT JOIN noemer AS n USING (indicator, gebied_code, jaar)
),

ontbrekend AS (
    SELECT * EXCLUDE (noemer, noemer_jaar, noemer_volledig, gevonden) FROM zelfde_jaar WHERE NOT gevonden
),

gekoppeld AS (
    SELECT * EXCLUDE (gevonden) FROM zelfde_jaar WHERE gevonden
    UNION ALL
    SELECT t.*, n.noemer, n.noemer_bronjaar AS noemer_jaar, n.noemer_volledig
    FROM ontbrekend AS t
    ASOF LEFT JOIN (SELECT * FROM noemer SEMI JOIN ontbrekend USING (indicator, gebied_code)) AS n
        ON n.indicator = t.indicator AND n.gebied_code = t.gebied_code AND t.jaar >= n.jaar
)

SELECT
    g.gebied_code,
    g.niveau,
    g.indicator,
    g.jaar,
    CASE
        WHEN i.heeft_noemer AND coalesce(g.noemer, 0) = 0 THEN NULL
        WHEN i.heeft_noemer THEN g.teller / g.noemer * i.factor
        ELSE g.teller
    END                                                AS waarde,
    g.teller,
    CASE WHEN i.heeft_noemer THEN g.noemer END         AS noemer,
    CASE WHEN i.heeft_noemer THEN g.noemer_jaar END    AS noemer_jaar,
    g.n,
    g.sd,
    g.teller_volledig AND g.alle_variabelen
        AND (NOT i.heeft_noemer OR coalesce(g.noemer_volledig, false)) AS volledig,
    i.heeft_noemer AND g.noemer_jaar IS DISTINCT FROM g.jaar AND g.noemer IS NOT NULL AS noemer_geschat,
    CASE
        WHEN NOT g.teller_volledig THEN 'onvolledig jaar'
        WHEN NOT g.alle_variabelen THEN 'niet alle onderdelen geleverd'
        WHEN i.heeft_noemer AND g.noemer_volledig = false THEN 'noemer onvolledig'
        WHEN i.heeft_noemer AND g.noemer IS NULL THEN 'geen noemer'
        WHEN i.heeft_noemer AND g.noemer = 0 THEN 'noemer is 0'
    END                                                AS opmerking
FROM gekoppeld AS g
JOIN indicator AS i USING (indicator)
WHERE list_contains(i.niveaus, g.niveau)
