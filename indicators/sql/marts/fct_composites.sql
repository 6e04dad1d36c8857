-- Composite liveability score per area and year, on the log scale (docs/methodology.md, "samengestelde score"):
-- per theme, per kind (objectief / subjectief) and overall (objectief and subjectief 50/50, as Rotterdam's
-- Wijkprofiel does). The basket: the indicators with a weight whose change against the baseline is usable and
-- that had enough expected baseline events at this level (fct_indicator_scores.in_samengesteld); the others
-- are named in `uitgesloten`.
--   L = sum w_i L_i / sum w_i,   Var L = w' S w / (sum w)^2,
-- with S diagonal (Var L_i) except between two survey items (the same respondents): Cov = rho se_i se_j,
-- rho = setting enquete_correlatie, so w' S w = sum w^2 v + rho ((sum_s w se)^2 - sum_s w^2 v). The crime
-- indicators in a composite do not overlap (overige misdrijven = the total minus the listed codes).
-- Overall: L = (L_obj + L_subj) / 2, Var = (Var_obj + Var_subj) / 4.
-- score = 100 exp(L), 95% interval 100 exp(L -/+ z se); one-sided bounds (ondergrens / bovengrens) at
-- z_eenzijdig decide the target verdict against the margin (fct_doelen); p_aangepast is Benjamini-Hochberg over
-- the areas and groups of one gemeente, level, year and group type (the wijk x theme matrix is one family).
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

-- each indicator is a bit, so that the indicators that contributed to a group aggregate as one integer
-- (HUGEINT: up to 127 indicators in the composite; indicators/catalogue.py::semantic_errors allows no more)
indicatoren AS (
    SELECT indicator, thema, soort, gewicht, onzekerheid IN ('binomiaal', 'gemiddelde') AS enquete,
           1::HUGEINT << (row_number() OVER (ORDER BY indicator) - 1)::HUGEINT AS bit
    FROM marts.dim_indicator
    WHERE gewicht > 0
),

onderdrukking AS (
    SELECT gebied_code, indicator, jaar FROM marts.fct_onderdrukking WHERE onderdrukt
),

scores AS (
    SELECT s.gebied_code, s.niveau, s.jaar, s.log_verschil AS l, s.log_se * s.log_se AS v, s.log_se AS se,
           i.thema, i.soort, i.gewicht AS w, i.enquete, i.bit,
           -- the composite would reveal a suppressed count of this year or of the baseline
           o.indicator IS NOT NULL OR ob.indicator IS NOT NULL AS onderdrukt
    FROM marts.fct_indicator_scores AS s
    JOIN indicatoren AS i USING (indicator)
    CROSS JOIN instellingen AS st
    LEFT JOIN onderdrukking AS o ON o.gebied_code = s.gebied_code AND o.indicator = s.indicator AND o.jaar = s.jaar
    LEFT JOIN onderdrukking AS ob
        ON ob.gebied_code = s.gebied_code AND ob.indicator = s.indicator AND ob.jaar = st.basisjaar
    WHERE s.in_samengesteld
),

-- indicators with a weight and a value in both years that are not in the basket (too few baseline events,
-- a method break without a factor, ...)
uitgesloten AS (
    SELECT s.gebied_code, s.jaar, i.thema, i.soort, list(s.indicator ORDER BY s.indicator) AS uitgesloten
    FROM marts.fct_indicator_scores AS s
    JOIN indicatoren AS i USING (indicator)
    WHERE NOT s.in_samengesteld AND s.waarde IS NOT NULL AND s.basiswaarde IS NOT NULL
    GROUP BY ALL
),

-- Sums per theme within one kind (the finest group), rolled up to themes and kinds: the weighted mean and
-- its variance need only these sums.
thema_soort AS MATERIALIZED (
    SELECT gebied_code, niveau, jaar, thema, soort,
           sum(w * l) AS som_wl, sum(w) AS som_w, sum(w * w * v) AS som_w2v,
           coalesce(sum(w * se) FILTER (WHERE enquete), 0) AS som_e_wse,
           coalesce(sum(w * w * v) FILTER (WHERE enquete), 0) AS som_e_w2v,
           count(*) AS dekking, bit_or(bit) AS bits, bool_or(onderdrukt) AS onderdrukt
    FROM scores
    GROUP BY gebied_code, niveau, jaar, thema, soort
),

sommen AS (
    SELECT gebied_code, niveau, jaar, thema || '/' || soort AS groep, 'thema_soort' AS groep_type, thema, soort,
           som_wl, som_w, som_w2v, som_e_wse, som_e_w2v, dekking, bits, onderdrukt
    FROM thema_soort
    UNION ALL
    SELECT gebied_code, niveau, jaar, thema, 'thema', thema, NULL,
           sum(som_wl), sum(som_w), sum(som_w2v), sum(som_e_wse), sum(som_e_w2v), sum(dekking), bit_or(bits),
           bool_or(onderdrukt)
    FROM thema_soort
    GROUP BY gebied_code, niveau, jaar, thema
    UNION ALL
    SELECT gebied_code, niveau, jaar, soort, 'soort', NULL, soort,
           sum(som_wl), sum(som_w), sum(som_w2v), sum(som_e_wse), sum(som_e_w2v), sum(dekking), bit_or(bits),
           bool_or(onderdrukt)
    FROM thema_soort
    GROUP BY gebied_code, niveau, jaar, soort
),

groepen AS (
    SELECT m.gebied_code, m.niveau, m.jaar, m.groep, m.groep_type, m.thema, m.soort,
           m.som_wl / m.som_w AS l,
           greatest(0, m.som_w2v + s.enquete_correlatie * (m.som_e_wse * m.som_e_wse - m.som_e_w2v))
               / (m.som_w * m.som_w) AS v,
           m.dekking, m.bits, m.onderdrukt
    FROM sommen AS m, instellingen AS s
),

samengesteld AS (
    SELECT gebied_code, niveau, jaar, 'samengesteld' AS groep, 'samengesteld' AS groep_type,
           NULL AS thema, NULL AS soort,
           CASE WHEN count(*) = 2 THEN 0.5 * sum(l) ELSE any_value(l) END AS l,
           CASE WHEN count(*) = 2 THEN 0.25 * sum(v) ELSE any_value(v) END AS v,
           sum(dekking) AS dekking, bit_or(bits) AS bits, bool_or(onderdrukt) AS onderdrukt
    FROM groepen
    WHERE groep_type = 'soort'
    GROUP BY gebied_code, niveau, jaar
),

alles AS (
    SELECT a.*, sqrt(a.v) AS se,
           CASE WHEN a.v > 0 THEN a.l / sqrt(a.v) END AS z
    FROM (SELECT * FROM groepen UNION ALL SELECT * FROM samengesteld) AS a
),

-- Benjamini-Hochberg per family (gemeente, level, year, group type), years after the baseline only
getoetst AS (
    SELECT a.*, wm_p_tweezijdig(a.z) AS p_waarde
    FROM alles AS a
),

bh AS (
    SELECT g.gebied_code, g.groep, g.jaar,
           least(1, min(g.p_waarde * g.m / g.rang) OVER (
               PARTITION BY g.familie ORDER BY g.rang DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
               AS p_aangepast
    FROM (
        SELECT t.*,
               row_number() OVER f AS rang,
               count(*) OVER (PARTITION BY substr(t.gebied_code, 3, 4), t.niveau, t.jaar, t.groep_type) AS m,
               substr(t.gebied_code, 3, 4) || '/' || t.niveau || '/' || t.jaar || '/' || t.groep_type AS familie
        FROM getoetst AS t, instellingen AS s
        WHERE t.jaar > s.basisjaar AND t.p_waarde IS NOT NULL
        WINDOW f AS (PARTITION BY substr(t.gebied_code, 3, 4), t.niveau, t.jaar, t.groep_type
                     ORDER BY t.p_waarde, t.gebied_code, t.groep)
    ) AS g
),

-- The trend since the baseline up to each year: the least-squares line through L (L = 0 in the baseline
-- year), from running sums of x = jaar - basisjaar. fct_doelen and the dashboard project it to a target year
-- with a prediction interval (macros wm_projectie_log, wm_projectie_se): s2 is the residual variance, at
-- least the mean sampling variance of the years in the line (a line through few points must not look surer
-- than the points themselves), t the Student quantile for k - 2 degrees of freedom.
lopend AS (
    SELECT
        a.gebied_code, a.groep, a.jaar,
        count(*) OVER w                                        AS k,
        sum(a.jaar - s.basisjaar) OVER w                       AS sx,
        sum(a.l) OVER w                                        AS sy,
        sum((a.jaar - s.basisjaar) * a.l) OVER w               AS sxy,
        sum((a.jaar - s.basisjaar) * (a.jaar - s.basisjaar)) OVER w AS sxx,
        sum(a.l * a.l) OVER w                                  AS syy,
        sum(a.v) OVER w                                        AS sv
    FROM alles AS a, instellingen AS s
    WHERE a.jaar >= s.basisjaar
    WINDOW w AS (PARTITION BY a.gebied_code, a.groep ORDER BY a.jaar ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),

trend AS (
    SELECT
        l.gebied_code, l.groep, l.jaar, l.k AS trendjaren,
        l.sx / l.k AS trend_xgem,
        l.sy / l.k AS trend_ygem,
        l.sxx - l.sx * l.sx / l.k AS trend_sxx,
        CASE WHEN l.k >= 2 AND l.sxx - l.sx * l.sx / l.k > 0
             THEN (l.sxy - l.sx * l.sy / l.k) / (l.sxx - l.sx * l.sx / l.k) END AS helling,
        CASE WHEN l.k >= 3 THEN greatest(
                 ((l.syy - l.sy * l.sy / l.k)
                  - (l.sxy - l.sx * l.sy / l.k) * (l.sxy - l.sx * l.sy / l.k) / (l.sxx - l.sx * l.sx / l.k))
                 / (l.k - 2),
                 l.sv / (l.k - 1)) END AS trend_s2,
        CASE WHEN l.k >= 3 THEN wm_t_kwantiel(l.k - 2) END AS trend_t
    FROM lopend AS l
),

-- the indicator names of every combination of bits that occurs (a few hundred at most)
namen AS (
    SELECT b.bits, list(i.indicator ORDER BY i.indicator) AS indicatoren
    FROM (SELECT DISTINCT bits FROM alles) AS b
    JOIN indicatoren AS i ON b.bits & i.bit <> 0
    GROUP BY b.bits
),

uitgesloten_per_groep AS (
    SELECT a.gebied_code, a.jaar, a.groep, list_sort(flatten(list(u.uitgesloten))) AS uitgesloten
    FROM alles AS a
    JOIN uitgesloten AS u
        ON u.gebied_code = a.gebied_code AND u.jaar = a.jaar
       AND (a.thema IS NULL OR u.thema = a.thema) AND (a.soort IS NULL OR u.soort = a.soort)
    GROUP BY ALL
)

SELECT
    a.gebied_code,
    a.niveau,
    a.groep,
    a.groep_type,
    a.jaar,
    100 * exp(a.l)                                                AS score,
    a.l                                                           AS log_verschil,
    a.se                                                          AS log_se,
    100 * exp(a.l - s.z * a.se)                                   AS ci_laag,
    100 * exp(a.l + s.z * a.se)                                   AS ci_hoog,
    100 * exp(a.l - s.z_eenzijdig * a.se)                         AS ondergrens,
    100 * exp(a.l + s.z_eenzijdig * a.se)                         AS bovengrens,
    coalesce(a.z, 0)                                              AS z,
    coalesce(a.p_waarde, 1)                                       AS p_waarde,
    coalesce(b.p_aangepast, 1)                                    AS p_aangepast,
    CASE WHEN a.jaar = s.basisjaar THEN 'gelijk' ELSE wm_oordeel(coalesce(a.z, 0), s.z) END AS verandering,
    CASE
        WHEN a.jaar = s.basisjaar OR coalesce(b.p_aangepast, 1) > s.fdr_matrix THEN 'gelijk'
        WHEN a.l > 0 THEN 'beter'
        ELSE 'slechter'
    END                                                           AS verandering_aangepast,
    -- against the margin: shown to be at most `marge` below the baseline, shown to be more, or undecided
    CASE
        WHEN a.jaar <= s.basisjaar THEN NULL
        WHEN round(100 * exp(a.l - s.z_eenzijdig * a.se), 9) >= round(100 * (1 - s.marge), 9) THEN 'gehaald'
        WHEN round(100 * exp(a.l + s.z_eenzijdig * a.se), 9) < round(100 * (1 - s.marge), 9) THEN 'niet gehaald'
        ELSE 'onbeslist'
    END                                                           AS oordeel,
    -- the decline (in % of the baseline) these data would detect with 80% power at the one-sided level
    CASE WHEN a.jaar > s.basisjaar
         THEN 100 * (1 - exp(-(s.z_eenzijdig + 0.8416212335729143) * a.se)) END AS detecteerbaar,
    a.dekking,
    n.indicatoren,
    coalesce(u.uitgesloten, []::VARCHAR[])                        AS uitgesloten,
    a.onderdrukt,
    t.trendjaren,
    t.trend_xgem,
    t.trend_ygem,
    t.trend_sxx,
    t.helling,
    t.trend_s2,
    t.trend_t
FROM getoetst AS a
CROSS JOIN instellingen AS s
LEFT JOIN namen AS n USING (bits)
LEFT JOIN bh AS b USING (gebied_code, groep, jaar)
LEFT JOIN trend AS t USING (gebied_code, groep, jaar)
LEFT JOIN uitgesloten_per_groep AS u USING (gebied_code, jaar, groep)
