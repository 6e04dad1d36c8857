-- Indicator value per area and year: numerator / denominator x factor, or the survey mean / percentage.
-- Denominators come from the same year; when that year is not there (e.g. CBS not yet published) the
-- nearest earlier year is used and flagged (noemer_jaar <> jaar).
-- Coverage: a value above buurt level whose numerator was not delivered for that area sums numerator AND
-- denominator over the same areas (the buurten, then the wijken, that have both), and says which share of the
-- area's denominator that covers (dekking); a delivered total is used as delivered (dekking 1). A survey result
-- for a gemeente that was not delivered is the population-weighted mean of its wijken (dekking = their share of
-- the inhabitants), with the variance of that weighted mean carried as an effective sample size (n_eff).
WITH componenten AS (
    SELECT *, count(*) OVER (PARTITION BY indicator, rol) AS variabelen
    FROM marts.dim_indicator_component
),

indicator AS (
    SELECT * FROM marts.dim_indicator
),

-- the numerator: the variable's value, or the signed sum of several (survey results are one variable: n, sd, n_eff)
teller AS (
    SELECT c.indicator, w.gebied_code, w.niveau, w.jaar, w.waarde AS teller, w.n, w.sd, w.n_eff,
           w.volledig AS teller_volledig, 1 AS teller_variabelen, w.opgeteld AS teller_opgeteld,
           w.omzetting AS teller_omzetting
    FROM componenten AS c
    JOIN int_waarnemingen AS w ON w.bron = c.bron AND w.variabele = c.variabele
    WHERE c.rol = 'teller' AND c.variabelen = 1 AND w.waarde IS NOT NULL
    UNION ALL
    SELECT
        c.indicator, w.gebied_code, w.niveau, w.jaar,
        sum(c.teken * w.waarde)                        AS teller,
        any_value(w.n)                                 AS n,
        any_value(w.sd)                                AS sd,
        any_value(w.n_eff)                             AS n_eff,
        bool_and(w.volledig)                           AS teller_volledig,
        count(*)                                       AS teller_variabelen,
        bool_or(w.opgeteld)                            AS teller_opgeteld,
        max(w.omzetting)                               AS teller_omzetting
    FROM componenten AS c
    JOIN int_waarnemingen AS w ON w.bron = c.bron AND w.variabele = c.variabele
    WHERE c.rol = 'teller' AND c.variabelen > 1 AND w.waarde IS NOT NULL
    GROUP BY c.indicator, w.gebied_code, w.niveau, w.jaar
    -- a difference needs what it subtracts from (overige misdrijven without the total is no figure)
    HAVING bool_or(c.teken > 0)
),

noemer AS (
    SELECT c.indicator, w.gebied_code, w.jaar, w.waarde AS noemer, w.bronjaar AS noemer_bronjaar,
           w.volledig AS noemer_volledig, w.omzetting AS noemer_omzetting
    FROM componenten AS c
    JOIN int_waarnemingen AS w ON w.bron = c.bron AND w.variabele = c.variabele
    WHERE c.rol = 'noemer' AND c.variabelen = 1 AND w.waarde IS NOT NULL
    UNION ALL
    SELECT
        c.indicator, w.gebied_code, w.jaar,
        sum(c.teken * w.waarde)                        AS noemer,
        min(w.bronjaar)                                AS noemer_bronjaar,
        bool_and(w.volledig)                           AS noemer_volledig,
        max(w.omzetting)                               AS noemer_omzetting
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
    SELECT t.*, n.noemer, n.noemer_bronjaar AS noemer_jaar, n.noemer_volledig, n.noemer_omzetting,
           n.jaar IS NOT NULL OR NOT i.heeft_noemer AS gevonden
    FROM teller_compleet AS t
    JOIN indicator AS i USING (indicator)
    LEFT JOIN noemer AS n USING (indicator, gebied_code, jaar)
),

ontbrekend AS (
    SELECT * EXCLUDE (noemer, noemer_jaar, noemer_volledig, noemer_omzetting, gevonden) FROM zelfde_jaar
    WHERE NOT gevonden
),

gekoppeld AS (
    SELECT * EXCLUDE (gevonden) FROM zelfde_jaar WHERE gevonden
    UNION ALL
    SELECT t.*, n.noemer, n.noemer_bronjaar AS noemer_jaar, n.noemer_volledig, n.noemer_omzetting
    FROM ontbrekend AS t
    ASOF LEFT JOIN (SELECT * FROM noemer SEMI JOIN ontbrekend USING (indicator, gebied_code)) AS n
        ON n.indicator = t.indicator AND n.gebied_code = t.gebied_code AND t.jaar >= n.jaar
),

-- every area's own row: the value as delivered (or as int_waarnemingen summed it, for the denominator)
eigen AS (
    SELECT
        g.indicator, g.gebied_code, g.niveau, g.jaar, g.teller, g.noemer, g.noemer_jaar, g.n, g.sd, g.n_eff,
        g.teller_volledig AND g.alle_variabelen
            AND (NOT i.heeft_noemer OR coalesce(g.noemer_volledig, false)) AS volledig,
        g.teller_volledig, g.alle_variabelen, g.noemer_volledig, g.teller_opgeteld,
        i.heeft_noemer, i.onzekerheid,
        -- how the value was carried onto the analysis division: the least direct part counts
        greatest(g.teller_omzetting, CASE WHEN i.heeft_noemer THEN g.noemer_omzetting END) AS omzetting
    FROM gekoppeld AS g
    JOIN indicator AS i USING (indicator)
    WHERE list_contains(i.niveaus, g.niveau) OR g.niveau = 'buurt'
),

-- inhabitants per area and year: the weights of a population-weighted survey result
inwoners AS (
    SELECT gebied_code, jaar, waarde AS inwoners
    FROM int_waarnemingen
    WHERE bron = 'bevolking' AND variabele = 'inwoners' AND waarde > 0
),

-- Counts: the buurten that have numerator and denominator, summed per wijk (coverage-consistent).
buurten_per_wijk AS (
    SELECT indicator, 'WK' || substr(gebied_code, 3, 6) AS gebied_code, jaar,
           sum(teller) AS teller, sum(noemer) AS noemer, min(noemer_jaar) AS noemer_jaar,
           bool_and(volledig) AS volledig, count(*) AS delen, max(omzetting) AS omzetting
    FROM eigen
    WHERE niveau = 'buurt' AND heeft_noemer AND teller IS NOT NULL AND noemer > 0
    GROUP BY ALL
),

wijk AS (
    -- delivered numerator (or no buurten at all): as it is, the whole area
    SELECT e.*, CASE WHEN e.noemer > 0 OR NOT e.heeft_noemer THEN 1.0 END AS dekking, 1 AS delen
    FROM eigen AS e
    WHERE e.niveau = 'wijk' AND NOT (e.heeft_noemer AND e.teller_opgeteld)
    UNION ALL
    -- summed numerator: numerator and denominator over the same buurten; the wijk's whole denominator
    -- (every buurt's, as int_waarnemingen summed it) for the coverage
    SELECT e.* REPLACE (b.teller AS teller, b.noemer AS noemer, b.noemer_jaar AS noemer_jaar,
                        coalesce(b.volledig, false) AS volledig, coalesce(b.omzetting, e.omzetting) AS omzetting),
           b.noemer / nullif(e.noemer, 0) AS dekking, coalesce(b.delen, 0) AS delen
    FROM eigen AS e
    LEFT JOIN buurten_per_wijk AS b USING (indicator, gebied_code, jaar)
    WHERE e.niveau = 'wijk' AND e.heeft_noemer AND e.teller_opgeteld
),

-- Gemeente: counts over the wijken that have both; survey results population-weighted over the wijken
-- that have one: value = sum W v / sum W, variance = sum W^2 var / (sum W)^2 with var = sd^2/n_eff (mean)
-- or p(1-p)/n_eff (percentage, p as a fraction); n_eff = var(one respondent) / variance.
wijken_per_gemeente AS (
    SELECT w.indicator, 'GM' || substr(w.gebied_code, 3, 4) AS gebied_code, w.jaar,
           sum(w.teller) FILTER (WHERE w.heeft_noemer AND w.teller IS NOT NULL AND w.noemer > 0) AS teller,
           sum(w.noemer) FILTER (WHERE w.heeft_noemer AND w.teller IS NOT NULL AND w.noemer > 0) AS noemer,
           min(w.noemer_jaar) FILTER (WHERE w.heeft_noemer AND w.teller IS NOT NULL AND w.noemer > 0) AS noemer_jaar,
           -- survey
           sum(p.inwoners * w.teller) / sum(p.inwoners) AS gewogen,
           sum(p.inwoners) AS som_inwoners,
           sum(p.inwoners * p.inwoners * CASE w.onzekerheid
                   WHEN 'gemiddelde' THEN w.sd * w.sd / w.n_eff
                   WHEN 'binomiaal' THEN (w.teller / 100.0) * (1 - w.teller / 100.0) / w.n_eff END)
               / (sum(p.inwoners) * sum(p.inwoners)) AS variantie,
           sqrt(sum(p.inwoners * w.sd * w.sd) / sum(p.inwoners)) AS sd,
           sum(w.n) AS n,
           bool_and(w.volledig) AS volledig, count(*) AS delen, max(w.omzetting) AS omzetting
    FROM wijk AS w
    LEFT JOIN inwoners AS p USING (gebied_code, jaar)
    WHERE w.teller IS NOT NULL
    GROUP BY ALL
),

gemeente AS (
    SELECT e.*, CASE WHEN e.noemer > 0 OR NOT e.heeft_noemer THEN 1.0 END AS dekking, 1 AS delen
    FROM eigen AS e
    WHERE e.niveau = 'gemeente' AND NOT e.teller_opgeteld
    UNION ALL
    SELECT e.* REPLACE (g.teller AS teller, g.noemer AS noemer, g.noemer_jaar AS noemer_jaar,
                        coalesce(g.volledig, false) AS volledig, coalesce(g.omzetting, e.omzetting) AS omzetting),
           g.noemer / nullif(e.noemer, 0) AS dekking, coalesce(g.delen, 0) AS delen
    FROM eigen AS e
    LEFT JOIN wijken_per_gemeente AS g USING (indicator, gebied_code, jaar)
    WHERE e.niveau = 'gemeente' AND e.teller_opgeteld AND e.heeft_noemer
    UNION ALL
    SELECT e.* REPLACE (
               g.gewogen AS teller,
               g.n AS n,
               CASE WHEN e.onzekerheid = 'gemiddelde' THEN g.sd END AS sd,
               CASE e.onzekerheid
                   WHEN 'gemiddelde' THEN g.sd * g.sd / nullif(g.variantie, 0)
                   WHEN 'binomiaal' THEN (g.gewogen / 100.0) * (1 - g.gewogen / 100.0) / nullif(g.variantie, 0)
               END AS n_eff,
               coalesce(g.volledig, false) AS volledig,
               coalesce(g.omzetting, e.omzetting) AS omzetting),
           g.som_inwoners / nullif(p.inwoners, 0) AS dekking, coalesce(g.delen, 0) AS delen
    FROM eigen AS e
    LEFT JOIN wijken_per_gemeente AS g USING (indicator, gebied_code, jaar)
    LEFT JOIN inwoners AS p USING (gebied_code, jaar)
    WHERE e.niveau = 'gemeente' AND e.teller_opgeteld AND NOT e.heeft_noemer
),

alle AS (
    SELECT *, 1.0 AS dekking, 1 AS delen FROM eigen WHERE niveau = 'buurt'
    UNION ALL BY NAME
    SELECT * FROM wijk
    UNION ALL BY NAME
    SELECT * FROM gemeente
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
    g.n_eff,
    g.volledig,
    i.heeft_noemer AND g.noemer_jaar IS DISTINCT FROM g.jaar AND g.noemer IS NOT NULL AS noemer_geschat,
    g.dekking,
    g.delen,
    g.omzetting,
    CASE
        WHEN NOT g.teller_volledig THEN 'onvolledig jaar'
        WHEN NOT g.alle_variabelen THEN 'niet alle onderdelen geleverd'
        WHEN i.heeft_noemer AND g.noemer_volledig = false THEN 'noemer onvolledig'
        WHEN i.heeft_noemer AND g.noemer IS NULL THEN 'geen noemer'
        WHEN i.heeft_noemer AND g.noemer = 0 THEN 'noemer is 0'
        WHEN g.dekking IS NOT NULL AND round(g.dekking, 3) < 1
            THEN 'dekking ' || round(100 * g.dekking)::INTEGER || '%'
    END                                                AS opmerking
FROM alle AS g
JOIN indicator AS i USING (indicator)
WHERE list_contains(i.niveaus, g.niveau)
