-- Target status per area, as of each year (peiljaar) since the baseline.
--   peiljaar >= doeljaar: gehaald (overall composite of the target year not significantly below 100),
--                         niet gehaald (significantly below), geen data (no composite for the target year);
--   peiljaar <  doeljaar: a projection of the composite to the target year with the least-squares line
--                         through the composites from the baseline year up to the peiljaar:
--                         op koers  = projection >= 100 and the peiljaar not significantly below 100;
--                         uit koers = projection < 100 and the peiljaar significantly below 100;
--                         risico    = otherwise; geen data = nothing measured after the baseline yet.
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

totaal AS (
    SELECT c.*
    FROM marts.fct_composites AS c, instellingen AS s
    WHERE c.groep = 'totaal' AND c.jaar >= s.basisjaar
),

trend AS (
    SELECT
        t.*,
        regr_slope(t.score, t.jaar) OVER w     AS helling,
        regr_intercept(t.score, t.jaar) OVER w AS snijpunt,
        count(*) OVER w                        AS jaren
    FROM totaal AS t
    WINDOW w AS (PARTITION BY t.gebied_code ORDER BY t.jaar ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),

doel AS (
    SELECT t.gebied_code, t.score AS doel_score, t.verandering AS doel_verandering, t.ci_laag AS doel_ci_laag,
           t.ci_hoog AS doel_ci_hoog
    FROM totaal AS t, instellingen AS s
    WHERE t.jaar = s.doeljaar
)

SELECT
    t.gebied_code,
    t.niveau,
    s.doeljaar,
    t.jaar                                               AS peiljaar,
    t.score,
    t.verandering,
    CASE WHEN t.jaar < s.doeljaar AND t.jaren >= 2 THEN t.snijpunt + t.helling * s.doeljaar END AS projectie,
    d.doel_score,
    CASE
        WHEN t.jaar >= s.doeljaar AND d.doel_score IS NULL THEN 'geen data'
        WHEN t.jaar >= s.doeljaar AND d.doel_verandering = 'slechter' THEN 'niet gehaald'
        WHEN t.jaar >= s.doeljaar THEN 'gehaald'
        WHEN t.jaren < 2 THEN 'geen data'
        WHEN t.snijpunt + t.helling * s.doeljaar >= 100 AND t.verandering <> 'slechter' THEN 'op koers'
        WHEN t.snijpunt + t.helling * s.doeljaar < 100 AND t.verandering = 'slechter' THEN 'uit koers'
        ELSE 'risico'
    END                                                  AS status
FROM trend AS t
CROSS JOIN instellingen AS s
LEFT JOIN doel AS d USING (gebied_code)
