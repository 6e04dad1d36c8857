-- Composite liveability score per area and year: the weighted mean of the available indicator scores per
-- theme, per kind (objectief / subjectief) and overall (objectief and subjectief 50/50, as Rotterdam's
-- Wijkprofiel does). Variance: delta method, indicators assumed independent:
--   Var(sum w_i s_i / sum w_i) = sum w_i^2 Var(s_i) / (sum w_i)^2;  Var(0.5 A + 0.5 B) = 0.25 (Var A + Var B).
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

scores AS (
    SELECT s.*, i.thema, i.soort, i.gewicht
    FROM marts.fct_indicator_scores AS s
    JOIN marts.dim_indicator AS i USING (indicator)
    WHERE s.score IS NOT NULL AND i.gewicht > 0
),

groepen AS (
    SELECT gebied_code, niveau, jaar, thema AS groep, 'thema' AS groep_type,
           sum(gewicht * score) / sum(gewicht) AS score,
           sum(gewicht * gewicht * score_var) / (sum(gewicht) * sum(gewicht)) AS score_var,
           count(*) AS dekking, list(indicator ORDER BY indicator) AS indicatoren
    FROM scores GROUP BY ALL
    UNION ALL
    SELECT gebied_code, niveau, jaar, soort, 'soort',
           sum(gewicht * score) / sum(gewicht),
           sum(gewicht * gewicht * score_var) / (sum(gewicht) * sum(gewicht)),
           count(*), list(indicator ORDER BY indicator)
    FROM scores GROUP BY ALL
    UNION ALL
    -- a theme within one kind (the dashboard's objectief / subjectief filter on a theme)
    SELECT gebied_code, niveau, jaar, thema || '/' || soort, 'thema_soort',
           sum(gewicht * score) / sum(gewicht),
           sum(gewicht * gewicht * score_var) / (sum(gewicht) * sum(gewicht)),
           count(*), list(indicator ORDER BY indicator)
    FROM scores GROUP BY ALL
),

totaal AS (
    SELECT gebied_code, niveau, jaar, 'totaal' AS groep, 'totaal' AS groep_type,
           CASE WHEN count(*) = 2 THEN 0.5 * sum(score) ELSE any_value(score) END AS score,
           CASE WHEN count(*) = 2 THEN 0.25 * sum(score_var) ELSE any_value(score_var) END AS score_var,
           sum(dekking) AS dekking, list_sort(flatten(list(indicatoren))) AS indicatoren
    FROM groepen
    WHERE groep_type = 'soort'
    GROUP BY ALL
),

alles AS (
    SELECT * FROM groepen
    UNION ALL
    SELECT * FROM totaal
),

-- Trend since the baseline up to each year: the least-squares line through the composites, used to
-- project the target status before the target year (macro wm_doelstatus, fct_doelen).
trend AS (
    SELECT
        a.*,
        CASE WHEN count(*) OVER w >= 2 THEN regr_slope(a.score, a.jaar) OVER w END     AS helling,
        CASE WHEN count(*) OVER w >= 2 THEN regr_intercept(a.score, a.jaar) OVER w END AS snijpunt,
        count(*) OVER w                        AS trendjaren
    FROM alles AS a, instellingen AS s
    WHERE a.jaar >= s.basisjaar
    WINDOW w AS (PARTITION BY a.gebied_code, a.groep ORDER BY a.jaar ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    UNION ALL
    SELECT a.*, NULL, NULL, NULL
    FROM alles AS a, instellingen AS s
    WHERE a.jaar < s.basisjaar
)

SELECT
    a.gebied_code,
    a.niveau,
    a.groep,
    a.groep_type,
    a.jaar,
    a.score,
    sqrt(a.score_var)                                             AS se,
    a.score - s.z * sqrt(a.score_var)                             AS ci_laag,
    a.score + s.z * sqrt(a.score_var)                             AS ci_hoog,
    CASE WHEN a.score_var > 0 THEN (a.score - 100) / sqrt(a.score_var) ELSE 0 END AS z,
    CASE
        WHEN a.score_var > 0 AND (a.score - 100) / sqrt(a.score_var) > s.z THEN 'beter'
        WHEN a.score_var > 0 AND (a.score - 100) / sqrt(a.score_var) < -s.z THEN 'slechter'
        ELSE 'gelijk'
    END                                                           AS verandering,
    a.dekking,
    a.indicatoren,
    a.helling,
    a.snijpunt,
    a.trendjaren
FROM trend AS a, instellingen AS s
