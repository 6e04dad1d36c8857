-- Per indicator, area and year: 95% interval of the value, the baseline, the change against the baseline on
-- the log scale and the polarity-aware verdict (beter / gelijk / slechter, two-sided against 100), and
-- whether the row may enter a composite. Formulas: docs/methodology.md.
--   L = sign x (ln value - ln baseline) on the log scale of wm_logwaarde (a count x as x + 1/2, so 0 -> 1 is
--       a finite change with a finite variance), sign +1 when higher is better, -1 when lower is better;
--   Var(L) = var ln value + var ln baseline (wm_logvar) + 2 sigma^2 for counts (fct_overdispersie);
--   score = 100 exp(L) (no caps), its interval 100 exp(L -/+ z se); z = L / se.
-- A method break between the two years (dim_methodebreuk) converts the earlier value with the omrekenfactor
-- (its log added); a break without a factor makes the pair "niet vergelijkbaar" (no score, no verdict).
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

waarden AS (
    SELECT w.*, i.polariteit, i.onzekerheid, i.factor, i.heeft_noemer, i.vergelijkbaar_vanaf, i.gewicht,
           CASE WHEN i.polariteit = 'hoger_is_beter' THEN 1 ELSE -1 END AS teken,
           wm_logwaarde(i.onzekerheid, w.teller, w.noemer, w.waarde, w.n_eff) AS logwaarde,
           wm_logvar(i.onzekerheid, w.teller, w.waarde, w.n_eff, w.sd) AS logvar
    FROM int_indicator_waarden AS w
    JOIN marts.dim_indicator AS i USING (indicator)
),

-- Exact (Garwood) limits once per distinct count: counts repeat, and the limits cost a chi-square quantile each.
poisson_grenzen AS (
    SELECT teller, wm_poisson_laag(teller) AS laag, wm_poisson_hoog(teller) AS hoog
    FROM (SELECT DISTINCT teller FROM waarden WHERE onzekerheid = 'poisson' AND teller IS NOT NULL)
),

intervallen AS (
    SELECT
        w.*,
        CASE w.onzekerheid
            -- Poisson: the interval of the count, scaled like the value
            WHEN 'poisson' THEN pg.laag * (CASE WHEN w.heeft_noemer THEN w.factor / w.noemer ELSE 1 END)
            -- Wilson score interval for a survey percentage, with the effective sample size
            WHEN 'binomiaal' THEN 100 * (w.waarde / 100.0 + s.z * s.z / (2 * w.n_eff)
                - s.z * sqrt(w.waarde / 100.0 * (1 - w.waarde / 100.0) / w.n_eff + s.z * s.z / (4 * w.n_eff * w.n_eff)))
                / (1 + s.z * s.z / w.n_eff)
            WHEN 'gemiddelde' THEN w.waarde - s.z * w.sd / sqrt(w.n_eff)
        END AS ci_laag,
        CASE w.onzekerheid
            WHEN 'poisson' THEN pg.hoog * (CASE WHEN w.heeft_noemer THEN w.factor / w.noemer ELSE 1 END)
            WHEN 'binomiaal' THEN 100 * (w.waarde / 100.0 + s.z * s.z / (2 * w.n_eff)
                + s.z * sqrt(w.waarde / 100.0 * (1 - w.waarde / 100.0) / w.n_eff + s.z * s.z / (4 * w.n_eff * w.n_eff)))
                / (1 + s.z * s.z / w.n_eff)
            WHEN 'gemiddelde' THEN w.waarde + s.z * w.sd / sqrt(w.n_eff)
        END AS ci_hoog
    FROM waarden AS w
    CROSS JOIN instellingen AS s
    LEFT JOIN poisson_grenzen AS pg ON pg.teller = w.teller AND w.onzekerheid = 'poisson'
),

basis AS (
    SELECT i.gebied_code, i.indicator, i.waarde AS basiswaarde, i.teller AS basis_teller, i.noemer AS basis_noemer,
           i.n_eff AS basis_n_eff, i.logwaarde AS basis_logwaarde, i.logvar AS basis_logvar,
           i.volledig AS basis_volledig
    FROM intervallen AS i, instellingen AS s
    WHERE i.jaar = s.basisjaar
),

-- The gemeente's own baseline: whether an area has "enough expected baseline events" is judged by the
-- gemeente's rate (or percentage) applied to the area's size, not by the area's own baseline count. Selecting on
-- the observed count would keep the areas whose 2019 was high by chance, and their regression to the mean would
-- read as an improvement (a biased composite: the calibration simulation measured +1.5 points at wijk level).
gemeente_basis AS (
    SELECT b.gebied_code AS gemeente_code, b.indicator, b.basis_teller AS gm_teller, b.basis_noemer AS gm_noemer,
           b.basiswaarde AS gm_waarde
    FROM basis AS b
    WHERE b.gebied_code LIKE 'GM%'
),

-- method breaks between the baseline year and the row's year: the product of their factors, or none
breuken AS (
    SELECT v.gebied_code, v.indicator, v.jaar,
           bool_and(b.omrekenfactor IS NOT NULL) AS omrekenbaar,
           exp(sum(ln(b.omrekenfactor))) AS omrekenfactor,
           string_agg(b.jaar::VARCHAR, ', ' ORDER BY b.jaar) AS breukjaren
    FROM (SELECT DISTINCT gebied_code, indicator, jaar FROM intervallen) AS v
    CROSS JOIN instellingen AS s
    JOIN marts.dim_methodebreuk AS b
        ON b.indicator = v.indicator AND b.jaar > least(v.jaar, s.basisjaar) AND b.jaar <= greatest(v.jaar, s.basisjaar)
    GROUP BY ALL
),

vergeleken AS (
    SELECT
        i.*,
        b.basiswaarde, b.basis_teller, b.basis_n_eff, b.basis_logwaarde, b.basis_logvar, b.basis_volledig,
        -- expected baseline events of the area (see gemeente_basis)
        CASE
            WHEN i.onzekerheid = 'poisson' AND i.heeft_noemer AND gb.gm_noemer > 0 AND b.basis_noemer IS NOT NULL
                THEN gb.gm_teller / gb.gm_noemer * b.basis_noemer
            WHEN i.onzekerheid = 'poisson' THEN b.basis_teller
            WHEN i.onzekerheid = 'binomiaal'
                THEN b.basis_n_eff * least(coalesce(gb.gm_waarde, b.basiswaarde), 100 - coalesce(gb.gm_waarde, b.basiswaarde))
                     / 100.0
            WHEN i.onzekerheid = 'gemiddelde' THEN b.basis_n_eff
        END AS basis_verwacht,
        s.basisjaar, s.z AS z_kritiek, s.drempel, s.minimum_basisgebeurtenissen,
        coalesce(o.sigma2, 0) AS sigma2,
        br.breukjaren,
        CASE WHEN br.omrekenbaar THEN br.omrekenfactor END AS omrekenfactor,
        i.vergelijkbaar_vanaf <= least(i.jaar, s.basisjaar) AND coalesce(br.omrekenbaar, true) AS vergelijkbaar,
        -- the earlier of the two values is converted to the later method: ln f added to it
        CASE WHEN br.omrekenbaar AND i.jaar < s.basisjaar THEN ln(br.omrekenfactor) ELSE 0 END AS ln_f_waarde,
        CASE WHEN br.omrekenbaar AND i.jaar > s.basisjaar THEN ln(br.omrekenfactor) ELSE 0 END AS ln_f_basis
    FROM intervallen AS i
    CROSS JOIN instellingen AS s
    LEFT JOIN basis AS b USING (gebied_code, indicator)
    LEFT JOIN gemeente_basis AS gb
        ON gb.gemeente_code = 'GM' || substr(i.gebied_code, 3, 4) AND gb.indicator = i.indicator
    LEFT JOIN breuken AS br USING (gebied_code, indicator, jaar)
    LEFT JOIN marts.fct_overdispersie AS o
        ON o.gemeente_code = 'GM' || substr(i.gebied_code, 3, 4) AND o.indicator = i.indicator AND o.niveau = i.niveau
),

gescoord AS (
    SELECT
        v.*,
        v.waarde IS NOT NULL AND v.basiswaarde IS NOT NULL AND v.volledig AND v.basis_volledig
            AND v.vergelijkbaar AND v.logwaarde IS NOT NULL AND v.basis_logwaarde IS NOT NULL AS bruikbaar,
        v.teken * ((v.logwaarde + v.ln_f_waarde) - (v.basis_logwaarde + v.ln_f_basis)) AS l,
        CASE WHEN v.jaar = v.basisjaar THEN 0
             ELSE v.logvar + v.basis_logvar + CASE WHEN v.onzekerheid = 'poisson' THEN 2 * v.sigma2 ELSE 0 END
        END AS l_var,
        -- enough expected events in the baseline at this level to enter a composite
        coalesce(v.basis_verwacht >= v.minimum_basisgebeurtenissen, false) AS genoeg_basis
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
    g.n_eff,
    g.dekking,
    g.omzetting,
    g.ci_laag,
    g.ci_hoog,
    g.basisjaar,
    g.basiswaarde,
    g.basis_teller,
    g.basis_verwacht,
    g.omrekenfactor,
    CASE WHEN g.bruikbaar THEN g.l END                                       AS log_verschil,
    CASE WHEN g.bruikbaar THEN sqrt(g.l_var) END                             AS log_se,
    CASE WHEN g.bruikbaar AND g.onzekerheid = 'poisson' THEN g.sigma2 END    AS overdispersie,
    CASE WHEN g.bruikbaar THEN 100 * exp(g.l) END                            AS score,
    CASE WHEN g.bruikbaar AND g.onzekerheid <> 'geen' THEN 100 * exp(g.l - g.z_kritiek * sqrt(g.l_var)) END
                                                                             AS score_laag,
    CASE WHEN g.bruikbaar AND g.onzekerheid <> 'geen' THEN 100 * exp(g.l + g.z_kritiek * sqrt(g.l_var)) END
                                                                             AS score_hoog,
    CASE WHEN g.bruikbaar AND g.onzekerheid <> 'geen' AND g.jaar <> g.basisjaar THEN g.l / sqrt(g.l_var)
         WHEN g.bruikbaar AND g.onzekerheid <> 'geen' THEN 0 END             AS z,
    CASE WHEN g.bruikbaar AND g.onzekerheid <> 'geen' AND g.jaar <> g.basisjaar THEN wm_p_tweezijdig(g.l / sqrt(g.l_var))
         WHEN g.bruikbaar AND g.onzekerheid <> 'geen' THEN 1 END             AS p_waarde,
    -- the Leefbaarometer (onzekerheid geen) has no interval and so no verdict
    CASE
        WHEN NOT g.bruikbaar OR g.onzekerheid = 'geen' THEN NULL
        WHEN g.jaar = g.basisjaar THEN 'gelijk'
        ELSE wm_oordeel(g.l / sqrt(g.l_var), g.z_kritiek)
    END                                                                      AS verandering,
    g.vergelijkbaar,
    g.volledig,
    g.bruikbaar AND g.gewicht > 0 AND g.genoeg_basis                         AS in_samengesteld,
    g.onzekerheid = 'poisson' AND g.teller >= 1 AND g.teller < g.drempel     AS onderdrukt,
    coalesce(g.onzekerheid = 'poisson' AND g.basis_teller >= 1 AND g.basis_teller < g.drempel, false)
                                                                             AS basis_onderdrukt,
    concat_ws('; ',
        g.opmerking,
        CASE WHEN g.vergelijkbaar_vanaf > least(g.jaar, g.basisjaar)
             THEN 'reeks begint in ' || g.vergelijkbaar_vanaf || ': niet vergelijkbaar met het basisjaar' END,
        CASE WHEN g.breukjaren IS NOT NULL AND g.omrekenfactor IS NULL
             THEN 'methodebreuk ' || g.breukjaren || ' zonder omrekenfactor: niet vergelijkbaar met het basisjaar' END,
        CASE WHEN g.omrekenfactor IS NOT NULL AND g.basiswaarde IS NOT NULL AND g.waarde IS NOT NULL
             THEN 'methodebreuk ' || g.breukjaren || ': omgerekend met factor ' || round(g.omrekenfactor, 4) END,
        CASE WHEN g.basiswaarde IS NULL AND g.waarde IS NOT NULL THEN 'geen basiswaarde' END,
        CASE WHEN g.basis_volledig = false THEN 'basisjaar onvolledig' END,
        CASE WHEN g.noemer_geschat THEN 'noemer uit ' || g.noemer_jaar END,
        CASE WHEN g.omzetting >= 1 AND g.waarde IS NOT NULL
             THEN 'omgezet naar de gebiedsindeling van de analyse (' || wm_omzetting_naam(g.omzetting) || ')' END,
        CASE WHEN g.bruikbaar AND g.gewicht > 0 AND NOT g.genoeg_basis
             THEN 'te weinig gebeurtenissen in het basisjaar voor de samengestelde score' END)
                                                                             AS opmerking
FROM gescoord AS g
