-- Target verdict per area and composite group, as of each year (peiljaar) since the baseline, for the target
-- year and margin in the settings. The rule is the macro wm_doelstatus (indicators/sql/macros.sql), which the
-- dashboard also uses for another target year:
--   peiljaar >= doeljaar: gehaald / niet gehaald / onbeslist by the one-sided bounds of the target year's
--                         composite against 100 (1 - marge); geen data without a composite that year;
--   peiljaar <  doeljaar: the trend line through the log composites up to the peiljaar, projected to the
--                         target year with its 95% prediction interval: op koers / uit koers when the whole
--                         interval lies on one side of 100 (1 - marge), else onzeker.
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

composites AS (
    SELECT c.*
    FROM marts.fct_composites AS c, instellingen AS s
    WHERE c.jaar >= s.basisjaar AND c.groep_type IN ('samengesteld', 'soort', 'thema')
),

doel AS (
    SELECT c.gebied_code, c.groep, c.score AS doel_score, c.ondergrens AS doel_ondergrens,
           c.bovengrens AS doel_bovengrens
    FROM composites AS c, instellingen AS s
    WHERE c.jaar = s.doeljaar
),

geprojecteerd AS (
    SELECT c.*,
           CASE WHEN c.jaar < s.doeljaar AND c.trendjaren >= 2
                THEN wm_projectie_log(c.trend_ygem, c.helling, c.trend_xgem, s.doeljaar, s.basisjaar) END AS proj_l,
           CASE WHEN c.jaar < s.doeljaar
                THEN wm_projectie_se(c.trend_s2, c.trendjaren, c.trend_sxx, c.trend_xgem, s.doeljaar, s.basisjaar)
           END AS proj_se
    FROM composites AS c, instellingen AS s
)

SELECT
    c.gebied_code,
    c.niveau,
    c.groep,
    c.groep_type,
    s.doeljaar,
    c.jaar                                                   AS peiljaar,
    s.marge,
    c.score,
    c.ondergrens,
    c.bovengrens,
    c.detecteerbaar,
    100 * exp(c.proj_l)                                      AS projectie,
    100 * exp(c.proj_l - c.trend_t * c.proj_se)              AS projectie_laag,
    100 * exp(c.proj_l + c.trend_t * c.proj_se)              AS projectie_hoog,
    d.doel_score,
    c.onderdrukt,
    wm_doelstatus(c.jaar, s.doeljaar, s.marge, d.doel_ondergrens, d.doel_bovengrens, c.trendjaren,
                  100 * exp(c.proj_l - c.trend_t * c.proj_se), 100 * exp(c.proj_l + c.trend_t * c.proj_se))
                                                             AS status
FROM geprojecteerd AS c
CROSS JOIN instellingen AS s
LEFT JOIN doel AS d USING (gebied_code, groep)
