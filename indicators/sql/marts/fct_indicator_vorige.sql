-- Change against the previous measurement (regiegroep: "what changed since last time?"): each complete,
-- comparable value against the latest earlier complete value of the same indicator and area, tested as
-- against the baseline: on the log scale (wm_logwaarde, wm_logvar), with the overdispersion of counts
-- (fct_overdispersie) and a method break between the two years converted by its omrekenfactor or, without
-- one, not compared.
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

waarden AS (
    SELECT s.*, i.polariteit, i.onzekerheid, i.vergelijkbaar_vanaf,
           CASE WHEN i.polariteit = 'hoger_is_beter' THEN 1 ELSE -1 END AS teken,
           wm_logwaarde(i.onzekerheid, s.teller, s.noemer, s.waarde, s.n_eff) AS logwaarde,
           wm_logvar(i.onzekerheid, s.teller, s.waarde, s.n_eff, s.sd) AS logvar
    FROM marts.fct_indicator_scores AS s
    JOIN marts.dim_indicator AS i USING (indicator)
    WHERE s.volledig AND s.waarde IS NOT NULL AND s.jaar >= i.vergelijkbaar_vanaf AND i.onzekerheid <> 'geen'
),

paren AS (
    SELECT
        w.*,
        lag(w.jaar) OVER v      AS vorig_jaar,
        lag(w.waarde) OVER v    AS vorige_waarde,
        lag(w.logwaarde) OVER v AS vorige_logwaarde,
        lag(w.logvar) OVER v    AS vorige_logvar
    FROM waarden AS w
    WINDOW v AS (PARTITION BY w.indicator, w.gebied_code ORDER BY w.jaar)
),

breuken AS (
    SELECT p.gebied_code, p.indicator, p.jaar,
           bool_and(b.omrekenfactor IS NOT NULL) AS omrekenbaar, sum(ln(b.omrekenfactor)) AS ln_f
    FROM paren AS p
    JOIN marts.dim_methodebreuk AS b ON b.indicator = p.indicator AND b.jaar > p.vorig_jaar AND b.jaar <= p.jaar
    GROUP BY ALL
),

getoetst AS (
    SELECT
        p.*,
        p.teken * (p.logwaarde - (p.vorige_logwaarde + coalesce(b.ln_f, 0))) AS l,
        p.logvar + p.vorige_logvar
            + CASE WHEN p.onzekerheid = 'poisson' THEN 2 * coalesce(o.sigma2, 0) ELSE 0 END AS l_var
    FROM paren AS p
    LEFT JOIN breuken AS b USING (gebied_code, indicator, jaar)
    LEFT JOIN marts.fct_overdispersie AS o
        ON o.gemeente_code = 'GM' || substr(p.gebied_code, 3, 4) AND o.indicator = p.indicator AND o.niveau = p.niveau
    WHERE p.vorig_jaar IS NOT NULL AND coalesce(b.omrekenbaar, true)
)

SELECT
    g.gebied_code,
    g.niveau,
    g.indicator,
    g.jaar,
    g.vorig_jaar,
    g.waarde,
    g.vorige_waarde,
    g.onderdrukt,
    g.l / sqrt(g.l_var)                                      AS z,
    wm_oordeel(g.l / sqrt(g.l_var), s.z)                     AS verandering
FROM getoetst AS g, instellingen AS s
