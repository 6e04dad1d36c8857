-- Change against the previous measurement (regiegroep: "what changed since last time?"): each complete,
-- comparable value against the latest earlier complete value of the same indicator and area, with the
-- same tests as against the baseline (macro wm_z_verschil).
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

waarden AS (
    SELECT s.*, i.polariteit, i.onzekerheid, i.vergelijkbaar_vanaf
    FROM marts.fct_indicator_scores AS s
    JOIN marts.dim_indicator AS i USING (indicator)
    WHERE s.volledig AND s.waarde IS NOT NULL AND s.jaar >= i.vergelijkbaar_vanaf AND i.onzekerheid <> 'geen'
),

paren AS (
    SELECT
        w.*,
        lag(w.jaar) OVER v    AS vorig_jaar,
        lag(w.waarde) OVER v  AS vorige_waarde,
        lag(w.teller) OVER v  AS vorige_teller,
        lag(w.noemer) OVER v  AS vorige_noemer,
        lag(w.n) OVER v       AS vorige_n,
        lag(w.sd) OVER v      AS vorige_sd
    FROM waarden AS w
    WINDOW v AS (PARTITION BY w.indicator, w.gebied_code ORDER BY w.jaar)
),

getoetst AS (
    SELECT
        p.*,
        wm_z_verschil(p.onzekerheid, p.teller, p.noemer, p.waarde, p.n, p.sd,
                      p.vorige_teller, p.vorige_noemer, p.vorige_waarde, p.vorige_n, p.vorige_sd) AS z_ruw
    FROM paren AS p
    WHERE p.vorig_jaar IS NOT NULL
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
    CASE WHEN g.polariteit = 'hoger_is_beter' THEN g.z_ruw ELSE -g.z_ruw END AS z,
    wm_oordeel(CASE WHEN g.polariteit = 'hoger_is_beter' THEN g.z_ruw ELSE -g.z_ruw END, s.z) AS verandering
FROM getoetst AS g, instellingen AS s
