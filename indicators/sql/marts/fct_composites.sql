-- Composite liveability score per area and year: the weighted mean of the available indicator scores per
-- theme, per kind (objectief / subjectief) and overall (objectief and subjectief 50/50, as Rotterdam's
-- Wijkprofiel does). Variance: delta method, indicators assumed independent:
--   Var(sum w_i s_i / sum w_i) = sum w_i^2 Var(s_i) / (sum w_i)^2;  Var(0.5 A + 0.5 B) = 0.25 (Var A + Var B).
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

-- each indicator is a bit, so that the indicators that contributed to a group aggregate as one integer
-- (HUGEINT: up to 127 indicators in the composite; indicators/catalogue.py::semantic_errors allows no more)
indicatoren AS (
    SELECT indicator, thema, soort, gewicht, 1::HUGEINT << (row_number() OVER (ORDER BY indicator) - 1)::HUGEINT AS bit
    FROM marts.dim_indicator
    WHERE gewicht > 0
),

scores AS (
    SELECT s.gebied_code, s.niveau, s.jaar, s.score, s.score_var, i.thema, i.soort, i.gewicht, i.bit
    FROM marts.fct_indicator_scores AS s
    JOIN indicatoren AS i USING (indicator)
    WHERE s.score IS NOT NULL
),

-- Sums per theme within one kind (the finest group; the dashboard's objectief / subjectief filter on a
-- theme), rolled up to themes and kinds: the weighted mean and its variance need only these sums.
thema_soort AS MATERIALIZED (
    SELECT gebied_code, niveau, jaar, thema, soort,
           sum(gewicht * score) AS som_ws, sum(gewicht) AS som_w, sum(gewicht * gewicht * score_var) AS som_w2v,
           count(*) AS dekking, bit_or(bit) AS bits
    FROM scores
    GROUP BY gebied_code, niveau, jaar, thema, soort
),

sommen AS (
    SELECT gebied_code, niveau, jaar, thema || '/' || soort AS groep, 'thema_soort' AS groep_type,
           som_ws, som_w, som_w2v, dekking, bits
    FROM thema_soort
    UNION ALL
    SELECT gebied_code, niveau, jaar, thema, 'thema',
           sum(som_ws), sum(som_w), sum(som_w2v), sum(dekking), bit_or(bits)
    FROM thema_soort
    GROUP BY gebied_code, niveau, jaar, thema
    UNION ALL
    SELECT gebied_code, niveau, jaar, soort, 'soort',
           sum(som_ws), sum(som_w), sum(som_w2v), sum(dekking), bit_or(bits)
    FROM thema_soort
    GROUP BY gebied_code, niveau, jaar, soort
),

groepen AS (
    SELECT gebied_code, niveau, jaar, groep, groep_type,
           som_ws / som_w AS score,
           som_w2v / (som_w * som_w) AS score_var,
           dekking, bits
    FROM sommen
),

samengesteld AS (
    SELECT gebied_code, niveau, jaar, 'samengesteld' AS groep, 'samengesteld' AS groep_type,
           CASE WHEN count(*) = 2 THEN 0.5 * sum(score) ELSE any_value(score) END AS score,
           CASE WHEN count(*) = 2 THEN 0.25 * sum(score_var) ELSE any_value(score_var) END AS score_var,
           sum(dekking) AS dekking, bit_or(bits) AS bits
    FROM groepen
    WHERE groep_type = 'soort'
    GROUP BY ALL
),

alles AS (
    SELECT * FROM groepen
    UNION ALL
    SELECT * FROM samengesteld
),

-- Trend since the baseline up to each year: the least-squares line through the composites, used to
-- project the target status before the target year (macro wm_doelstatus, fct_doelen). From running sums
-- of x = jaar - basisjaar (centred, so the sums stay small) and the score:
--   helling = (k Sxy - Sx Sy) / (k Sxx - Sx^2),  snijpunt (at jaar = 0) = (Sy - helling Sx) / k - helling basisjaar.
lopend AS (
    SELECT
        a.*,
        s.basisjaar,
        count(*) OVER w                                        AS k,
        sum(a.jaar - s.basisjaar) OVER w                       AS sx,
        sum(a.score) OVER w                                    AS sy,
        sum((a.jaar - s.basisjaar) * a.score) OVER w           AS sxy,
        sum((a.jaar - s.basisjaar) * (a.jaar - s.basisjaar)) OVER w AS sxx
    FROM alles AS a, instellingen AS s
    WHERE a.jaar >= s.basisjaar
    WINDOW w AS (PARTITION BY a.gebied_code, a.groep ORDER BY a.jaar ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),

trend AS (
    SELECT
        l.* EXCLUDE (basisjaar, k, sx, sy, sxy, sxx, helling_),
        l.helling_                                                         AS helling,
        (l.sy - l.helling_ * l.sx) / l.k - l.helling_ * l.basisjaar        AS snijpunt,
        l.k                                                                AS trendjaren
    FROM (
        SELECT *, CASE WHEN k >= 2 THEN (k * sxy - sx * sy) / (k * sxx - sx * sx) END AS helling_ FROM lopend
    ) AS l
    UNION ALL
    SELECT a.*, NULL, NULL, NULL
    FROM alles AS a, instellingen AS s
    WHERE a.jaar < s.basisjaar
),

-- the indicator names of every combination of bits that occurs (a few hundred at most)
namen AS (
    SELECT b.bits, list(i.indicator ORDER BY i.indicator) AS indicatoren
    FROM (SELECT DISTINCT bits FROM alles) AS b
    JOIN indicatoren AS i ON b.bits & i.bit <> 0
    GROUP BY b.bits
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
    n.indicatoren,
    a.helling,
    a.snijpunt,
    a.trendjaren
FROM trend AS a
CROSS JOIN instellingen AS s
LEFT JOIN namen AS n USING (bits)
