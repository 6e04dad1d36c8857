-- Per indicator, area and year: 95% interval, baseline, score against the baseline, significance of the
-- change and the polarity-aware verdict (beter / gelijk / slechter). Formulas: docs/methodology.md.
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

waarden AS (
    SELECT w.*, i.polariteit, i.onzekerheid, i.factor, i.heeft_noemer, i.vergelijkbaar_vanaf
    FROM int_indicator_waarden AS w
    JOIN marts.dim_indicator AS i USING (indicator)
),

-- Exact (Garwood) limits once per distinct count: counts repeat, and the limits cost a chi-square quantile each.
poisson_grenzen AS (
    SELECT teller, wm_poisson_laag(teller) AS laag, wm_poisson_hoog(teller) AS hoog
    FROM (SELECT DISTINCT teller FROM waarden WHERE onzekerheid = 'poisson' AND teller IS NOT NULL)
),

met_interval AS (
    SELECT
        w.*,
        -- Poisson: the interval of the count, scaled like the value
        CASE WHEN w.onzekerheid = 'poisson' AND w.waarde IS NOT NULL THEN
                 pg.laag * (CASE WHEN w.heeft_noemer THEN w.factor / w.noemer ELSE 1 END) END
            AS poisson_laag,
        CASE WHEN w.onzekerheid = 'poisson' AND w.waarde IS NOT NULL THEN
                 pg.hoog * (CASE WHEN w.heeft_noemer THEN w.factor / w.noemer ELSE 1 END) END
            AS poisson_hoog,
        w.waarde / 100.0 AS p,
        -- variance of log(value): Poisson 1/x (0.5 for a zero count), binomial (1-p)/(n p), mean se²/m²
        CASE w.onzekerheid
            WHEN 'poisson' THEN 1.0 / greatest(w.teller, 0.5)
            WHEN 'binomiaal' THEN (1 - w.waarde / 100.0) / (w.n * greatest(w.waarde / 100.0, 0.5 / w.n))
            WHEN 'gemiddelde' THEN (w.sd * w.sd / w.n) / nullif(w.waarde * w.waarde, 0)
        END AS logvar
    FROM waarden AS w
    LEFT JOIN poisson_grenzen AS pg ON pg.teller = w.teller AND w.onzekerheid = 'poisson'
),

intervallen AS (
    SELECT
        m.*,
        CASE m.onzekerheid
            WHEN 'poisson' THEN m.poisson_laag
            -- Wilson score interval for a survey percentage
            WHEN 'binomiaal' THEN 100 * (m.p + s.z * s.z / (2 * m.n)
                - s.z * sqrt(m.p * (1 - m.p) / m.n + s.z * s.z / (4 * m.n * m.n))) / (1 + s.z * s.z / m.n)
            WHEN 'gemiddelde' THEN m.waarde - s.z * m.sd / sqrt(m.n)
        END AS ci_laag,
        CASE m.onzekerheid
            WHEN 'poisson' THEN m.poisson_hoog
            WHEN 'binomiaal' THEN 100 * (m.p + s.z * s.z / (2 * m.n)
                + s.z * sqrt(m.p * (1 - m.p) / m.n + s.z * s.z / (4 * m.n * m.n))) / (1 + s.z * s.z / m.n)
            WHEN 'gemiddelde' THEN m.waarde + s.z * m.sd / sqrt(m.n)
        END AS ci_hoog
    FROM met_interval AS m, instellingen AS s
),

basis AS (
    SELECT i.gebied_code, i.indicator, i.waarde AS basiswaarde, i.teller AS basis_teller,
           i.noemer AS basis_noemer, i.n AS basis_n, i.sd AS basis_sd, i.p AS basis_p, i.logvar AS basis_logvar,
           i.volledig AS basis_volledig
    FROM intervallen AS i, instellingen AS s
    WHERE i.jaar = s.basisjaar
),

vergeleken AS (
    SELECT
        i.*,
        b.basiswaarde, b.basis_teller, b.basis_noemer, b.basis_n, b.basis_sd, b.basis_p, b.basis_logvar,
        b.basis_volledig,
        s.basisjaar, s.z AS z_kritiek, s.drempel,
        i.vergelijkbaar_vanaf <= least(i.jaar, s.basisjaar) AS vergelijkbaar,
        -- test statistic of the change against the baseline (positive = value went up)
        wm_z_verschil(i.onzekerheid, i.teller, i.noemer, i.waarde, i.n, i.sd,
                      b.basis_teller, b.basis_noemer, b.basiswaarde, b.basis_n, b.basis_sd) AS z_ruw
    FROM intervallen AS i
    LEFT JOIN basis AS b USING (gebied_code, indicator)
    CROSS JOIN instellingen AS s
),

gescoord AS (
    SELECT
        v.*,
        v.waarde IS NOT NULL AND v.basiswaarde IS NOT NULL AND v.volledig AND v.basis_volledig
            AND v.vergelijkbaar AS bruikbaar,
        -- 100 x value / baseline (higher is better) or 100 x baseline / value (lower is better);
        -- a zero in the denominator of that ratio gives the cap in the direction it means
        CASE
            WHEN v.waarde IS NULL OR v.basiswaarde IS NULL THEN NULL
            WHEN v.waarde = 0 AND v.basiswaarde = 0 THEN 100
            WHEN v.polariteit = 'hoger_is_beter' AND v.basiswaarde = 0 THEN 200
            WHEN v.polariteit = 'lager_is_beter' AND v.waarde = 0 THEN 200
            WHEN v.polariteit = 'hoger_is_beter' THEN least(200, greatest(0, 100 * v.waarde / v.basiswaarde))
            ELSE least(200, greatest(0, 100 * v.basiswaarde / v.waarde))
        END AS score_ruw,
        CASE
            WHEN v.waarde = 0 AND v.basiswaarde = 0 THEN 'waarde en basiswaarde zijn 0'
            WHEN v.waarde = 0 THEN 'waarde is 0'
            WHEN v.basiswaarde = 0 THEN 'basiswaarde is 0'
        END AS nul_opmerking,
        CASE WHEN v.polariteit = 'hoger_is_beter' THEN v.z_ruw ELSE -v.z_ruw END AS z_beter
    FROM vergeleken AS v
)

SELECT
    g.gebied_code,
    g.niveau,
    g.indicator,
    g.jaar,
    g.waarde,
    g.teller,
    g.noemer,
    g.noemer_jaar,
    g.noemer_geschat,
    g.n,
    g.sd,
    g.ci_laag,
    g.ci_hoog,
    g.basisjaar,
    g.basiswaarde,
    CASE WHEN g.bruikbaar THEN g.score_ruw END                               AS score,
    -- variance of the score by the delta method: score^2 x (var log value + var log baseline)
    CASE WHEN g.bruikbaar AND g.jaar = g.basisjaar THEN 0
         WHEN g.bruikbaar THEN g.score_ruw * g.score_ruw * (g.logvar + g.basis_logvar) END AS score_var,
    CASE WHEN g.bruikbaar AND g.jaar <> g.basisjaar THEN g.z_beter
         WHEN g.bruikbaar THEN 0 END                                         AS z,
    CASE WHEN g.bruikbaar AND g.jaar <> g.basisjaar THEN wm_p_tweezijdig(g.z_beter)
         WHEN g.bruikbaar THEN 1 END                                         AS p_waarde,
    CASE
        WHEN NOT g.bruikbaar THEN NULL
        WHEN g.jaar = g.basisjaar THEN 'gelijk'
        WHEN g.onzekerheid = 'geen' AND g.score_ruw > 100 THEN 'beter'
        WHEN g.onzekerheid = 'geen' AND g.score_ruw < 100 THEN 'slechter'
        WHEN g.onzekerheid = 'geen' THEN 'gelijk'
        ELSE wm_oordeel(g.z_beter, g.z_kritiek)
    END                                                                      AS verandering,
    g.vergelijkbaar,
    g.volledig,
    g.onzekerheid = 'poisson' AND g.teller >= 1 AND g.teller < g.drempel     AS onderdrukt,
    coalesce(g.onzekerheid = 'poisson' AND g.basis_teller >= 1 AND g.basis_teller < g.drempel, false)
                                                                             AS basis_onderdrukt,
    concat_ws('; ',
        g.opmerking,
        CASE WHEN NOT g.vergelijkbaar THEN 'methodebreuk: niet vergelijkbaar met het basisjaar' END,
        CASE WHEN g.basiswaarde IS NULL AND g.waarde IS NOT NULL THEN 'geen basiswaarde' END,
        CASE WHEN g.basis_volledig = false THEN 'basisjaar onvolledig' END,
        CASE WHEN g.noemer_geschat THEN 'noemer uit ' || g.noemer_jaar END,
        g.nul_opmerking)                                                     AS opmerking
FROM gescoord AS g
