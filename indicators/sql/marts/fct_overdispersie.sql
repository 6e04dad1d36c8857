-- Overdispersion of the count indicators: registered crime and reports are not Poisson (repeat victims, a
-- series by one offender), so the log rate of an area varies from year to year by more than 1/x. Per gemeente,
-- indicator and level the extra between-year variance sigma^2 of the log rate is estimated by the method of
-- moments from the year-to-year changes of its areas up to the baseline year (the history before the
-- comparison; a real change after the baseline must not inflate it):
--   d = ln((x_t + 1/2)/N_t) - ln((x_{t-1} + 1/2)/N_{t-1}),  sigma^2 = max(0, mean(d^2 - 1/(x_t + 1/2) - 1/(x_{t-1} + 1/2)) / 2)
-- over every pair of consecutive complete years of every area of that level (paren). With fewer than
-- overdispersie_min_paren pairs the estimate of the next finer level is used (buurt for wijk, wijk for
-- gemeente: local variation averages out in larger areas, so this errs on the wide side), else
-- jaarvariatie_standaard^2. Var(L) of a comparison of two years then adds 2 sigma^2 (fct_indicator_scores).
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

tellingen AS (
    SELECT w.gebied_code, 'GM' || substr(w.gebied_code, 3, 4) AS gemeente_code, w.niveau, w.indicator, w.jaar,
           wm_logwaarde('poisson', w.teller, w.noemer, w.waarde, NULL) AS logwaarde,
           1.0 / (w.teller + 0.5) AS logvar
    FROM int_indicator_waarden AS w
    JOIN marts.dim_indicator AS i USING (indicator)
    CROSS JOIN instellingen AS s
    WHERE i.onzekerheid = 'poisson' AND w.volledig AND w.teller IS NOT NULL AND w.teller >= 0
      AND (NOT i.heeft_noemer OR w.noemer > 0)
      AND w.jaar <= s.basisjaar AND w.jaar >= i.vergelijkbaar_vanaf
),

paren AS (
    SELECT t.*,
           t.logwaarde - lag(t.logwaarde) OVER w AS d,
           t.logvar + lag(t.logvar) OVER w AS poissonvar,
           t.jaar - lag(t.jaar) OVER w AS afstand
    FROM tellingen AS t
    WINDOW w AS (PARTITION BY t.indicator, t.gebied_code ORDER BY t.jaar)
),

geschat AS (
    SELECT gemeente_code, indicator, niveau, count(*) AS paren,
           greatest(0, avg(d * d - poissonvar) / 2) AS sigma2_geschat
    FROM paren
    WHERE afstand = 1
    GROUP BY ALL
),

-- every (gemeente, indicator, level) that has values at all
gevraagd AS (
    SELECT DISTINCT 'GM' || substr(w.gebied_code, 3, 4) AS gemeente_code, w.indicator, w.niveau
    FROM int_indicator_waarden AS w
    JOIN marts.dim_indicator AS i USING (indicator)
    WHERE i.onzekerheid = 'poisson'
),

niveaus AS (
    SELECT * FROM (VALUES ('buurt', 1, NULL), ('wijk', 2, 'buurt'), ('gemeente', 3, 'wijk')) AS n(niveau, rang, fijner)
)

SELECT
    g.gemeente_code,
    g.indicator,
    g.niveau,
    coalesce(e.paren, 0)                                              AS paren,
    e.sigma2_geschat,
    CASE
        WHEN e.paren >= s.overdispersie_min_paren THEN e.sigma2_geschat
        WHEN f1.paren >= s.overdispersie_min_paren THEN f1.sigma2_geschat
        WHEN f2.paren >= s.overdispersie_min_paren THEN f2.sigma2_geschat
        ELSE s.jaarvariatie_standaard * s.jaarvariatie_standaard
    END                                                               AS sigma2,
    CASE
        WHEN e.paren >= s.overdispersie_min_paren THEN 'eigen niveau'
        WHEN f1.paren >= s.overdispersie_min_paren THEN 'niveau ' || n.fijner
        WHEN f2.paren >= s.overdispersie_min_paren THEN 'niveau buurt'
        ELSE 'standaard (te weinig historie)'
    END                                                               AS herkomst
FROM gevraagd AS g
CROSS JOIN instellingen AS s
JOIN niveaus AS n USING (niveau)
LEFT JOIN geschat AS e USING (gemeente_code, indicator, niveau)
LEFT JOIN geschat AS f1 ON f1.gemeente_code = g.gemeente_code AND f1.indicator = g.indicator AND f1.niveau = n.fijner
LEFT JOIN geschat AS f2 ON f2.gemeente_code = g.gemeente_code AND f2.indicator = g.indicator AND f2.niveau = 'buurt'
    AND n.niveau = 'gemeente'
