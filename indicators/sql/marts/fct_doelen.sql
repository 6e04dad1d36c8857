-- Target status per area and composite group, as of each year (peiljaar) since the baseline, for the
-- target year in the settings. The rule is the macro wm_doelstatus (indicators/sql/macros.sql), which the
-- dashboard also uses for another target year:
--   peiljaar >= doeljaar: gehaald (composite of the target year not significantly below 100),
--                         niet gehaald (significantly below), geen data (no composite for the target year);
--   peiljaar <  doeljaar: the least-squares line through the composites from the baseline year up to the
--                         peiljaar, projected to the target year:
--                         op koers  = projection >= 100 and the peiljaar not significantly below 100;
--                         uit koers = projection < 100 and the peiljaar significantly below 100;
--                         risico    = otherwise; geen data = nothing measured after the baseline yet.
WITH instellingen AS (
    SELECT * FROM marts.dim_instellingen
),

composites AS (
    SELECT c.*
    FROM marts.fct_composites AS c, instellingen AS s
    WHERE c.jaar >= s.basisjaar AND c.groep_type IN ('samengesteld', 'soort', 'thema')
),

doel AS (
    SELECT c.gebied_code, c.groep, c.score AS doel_score, c.verandering AS doel_verandering
    FROM composites AS c, instellingen AS s
    WHERE c.jaar = s.doeljaar
)

SELECT
    c.gebied_code,
    c.niveau,
    c.groep,
    c.groep_type,
    s.doeljaar,
    c.jaar                                                   AS peiljaar,
    c.score,
    c.verandering,
    CASE WHEN c.jaar < s.doeljaar AND c.trendjaren >= 2 THEN c.snijpunt + c.helling * s.doeljaar END AS projectie,
    d.doel_score,
    wm_doelstatus(c.jaar, s.doeljaar, c.trendjaren, c.snijpunt + c.helling * s.doeljaar, c.verandering,
                  d.doel_score IS NOT NULL, d.doel_verandering) AS status
FROM composites AS c
CROSS JOIN instellingen AS s
LEFT JOIN doel AS d USING (gebied_code, groep)
