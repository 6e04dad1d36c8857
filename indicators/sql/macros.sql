-- The target verdict, once (used by fct_doelen and by the dashboard for another target year). "2023 >= 2019"
-- as non-inferiority with margin `marge` (docs/methodology.md):
--   peiljaar >= doeljaar: gehaald      = the one-sided lower bound of the target year's composite >= 100 (1 - marge);
--                         niet gehaald = its one-sided upper bound < 100 (1 - marge);
--                         onbeslist    = otherwise (the data cannot tell); geen data = no composite that year;
--   peiljaar <  doeljaar: the trend projected to the target year with its prediction interval:
--                         op koers  = the whole interval >= 100 (1 - marge); uit koers = the whole interval below;
--                         onzeker   = otherwise, or too few years for an interval; geen data = nothing measured
--                         after the baseline yet.
-- Rounded to 9 decimals: a bound at exactly the margin must not flip on the last bit of a float sum.
CREATE OR REPLACE MACRO wm_doelstatus(peiljaar, doeljaar, marge, doel_ondergrens, doel_bovengrens,
                                      trendjaren, projectie_laag, projectie_hoog) AS
    CASE
        WHEN peiljaar >= doeljaar AND doel_ondergrens IS NULL THEN 'geen data'
        WHEN peiljaar >= doeljaar AND round(doel_ondergrens, 9) >= round(100 * (1 - marge), 9) THEN 'gehaald'
        WHEN peiljaar >= doeljaar AND round(doel_bovengrens, 9) < round(100 * (1 - marge), 9) THEN 'niet gehaald'
        WHEN peiljaar >= doeljaar THEN 'onbeslist'
        WHEN coalesce(trendjaren, 0) < 2 THEN 'geen data'
        WHEN projectie_laag IS NULL THEN 'onzeker'
        WHEN round(projectie_laag, 9) >= round(100 * (1 - marge), 9) THEN 'op koers'
        WHEN round(projectie_hoog, 9) < round(100 * (1 - marge), 9) THEN 'uit koers'
        ELSE 'onzeker'
    END;

-- The trend line through the log composites from the baseline year up to a year (fct_composites keeps its
-- sums), projected to year `doeljaar`: the log score and the standard error of a new observation there
--   yhat = ygem + helling (t - xgem),  se = sqrt(s2 (1 + 1/k + (t - xgem)^2 / sxx)),  t = doeljaar - basisjaar.
CREATE OR REPLACE MACRO wm_projectie_log(ygem, helling, xgem, doeljaar, basisjaar) AS
    ygem + helling * ((doeljaar - basisjaar) - xgem);

CREATE OR REPLACE MACRO wm_projectie_se(s2, k, sxx, xgem, doeljaar, basisjaar) AS
    CASE WHEN k >= 3 AND sxx > 0 THEN
        sqrt(s2 * (1 + 1.0 / k + ((doeljaar - basisjaar) - xgem) * ((doeljaar - basisjaar) - xgem) / sxx)) END;

-- The log of a value as the tests compare it (docs/methodology.md, "log scale"):
--   poisson:    ln((x + 1/2) / N)   (N = denominator, 1 without one; the factor cancels in a difference);
--   binomiaal:  ln((k + 1/2) / (n + 1)) with k = p n, n the effective sample size;
--   gemiddelde: ln(mean);  geen: ln(value).
CREATE OR REPLACE MACRO wm_logwaarde(onzekerheid, teller, noemer, waarde, n_eff) AS
    CASE onzekerheid
        -- a negative count (a total below its listed parts) is no count: no log value, no score
        WHEN 'poisson' THEN CASE WHEN teller >= 0 THEN ln((teller + 0.5) / coalesce(noemer, 1)) END
        WHEN 'binomiaal' THEN ln((waarde / 100.0 * n_eff + 0.5) / (n_eff + 1))
        ELSE ln(nullif(waarde, 0))
    END;

-- Its sampling variance: poisson 1/(x + 1/2); binomiaal (1 - p)/(n p) with p = (k + 1/2)/(n + 1);
-- gemiddelde sd^2/(n mean^2); geen: none.
CREATE OR REPLACE MACRO wm_logvar(onzekerheid, teller, waarde, n_eff, sd) AS
    CASE onzekerheid
        WHEN 'poisson' THEN CASE WHEN teller >= 0 THEN 1.0 / (teller + 0.5) END
        WHEN 'binomiaal' THEN
            (1 - (waarde / 100.0 * n_eff + 0.5) / (n_eff + 1)) / (n_eff * (waarde / 100.0 * n_eff + 0.5) / (n_eff + 1))
        WHEN 'gemiddelde' THEN sd * sd / (n_eff * nullif(waarde * waarde, 0))
    END;

-- Polarity-aware verdict from the test statistic (positive = better after the polarity flip).
CREATE OR REPLACE MACRO wm_oordeel(z_beter, z_kritiek) AS
    CASE WHEN z_beter > z_kritiek THEN 'beter' WHEN z_beter < -z_kritiek THEN 'slechter' ELSE 'gelijk' END;

-- Provenance of indicator values, derived on demand instead of carried as a list on every mart row: the
-- loads whose current rows (not superseded; carried onto the analysis division) feed the values of one indicator (or every indicator, when
-- p_indicator is NULL) for the areas in p_gebieden in year p_jaar. A row feeds an area when it is the area
-- itself or lies within it (buurt -> wijk -> gemeente, by code, as int_waarnemingen aggregates; an area's own
-- delivered row is listed too, also where its value is the sum of its buurten). Numerator
-- variables count in p_jaar itself; denominator variables in the latest year up to p_jaar that the area has
-- (denominators are carried forward, see int_indicator_waarden), and only where the area has a numerator
-- that year; of a stock (voorraad) only the year's last period counts. One row per load, component role and
-- source, with the number of rows it contributes and the years they are from.
CREATE OR REPLACE MACRO wm_herkomst(p_indicator, p_gebieden, p_jaar) AS TABLE
WITH componenten AS (
    SELECT indicator, rol, bron, variabele
    FROM marts.dim_indicator_component
    WHERE p_indicator IS NULL OR indicator = p_indicator
),

rijen_geleverd AS (
    SELECT 'politie' AS bron, soort_misdrijf AS variabele, gebied_code, jaar, NULL::INTEGER AS periode_nr, load_id
    FROM staging.stg_politie__misdrijven
    WHERE vervangen_door IS NULL AND aantal IS NOT NULL AND jaar <= p_jaar
    UNION ALL
    SELECT bron, variabele, gebied_code, jaar, periode_nr, load_id
    FROM staging.stg_partner__waarnemingen
    WHERE vervangen_door IS NULL AND waarde IS NOT NULL AND jaar <= p_jaar
    UNION ALL
    SELECT 'bevolking', variabele, gebied_code, jaar, NULL, load_id
    FROM (
        UNPIVOT (SELECT gebied_code, jaar, load_id, inwoners, huishoudens, woningen
                 FROM staging.stg_bevolking__kerncijfers WHERE vervangen_door IS NULL AND jaar <= p_jaar)
        ON inwoners, huishoudens, woningen INTO NAME variabele VALUE waarde
    )
),

-- each row on the area(s) of the analysis division it is carried to (marts.fct_omzetting; see
-- int_waarnemingen_jaar: a code its division does not hold keeps its code, one that cannot be carried is out)
rijen AS (
    SELECT r.bron, r.variabele, coalesce(o.naar_code, r.gebied_code) AS gebied_code, r.jaar, r.periode_nr, r.load_id
    FROM rijen_geleverd AS r
    LEFT JOIN meta.load_indeling AS l USING (load_id)
    LEFT JOIN marts.fct_omzetting AS o ON o.van_indeling = l.indeling AND o.van_code = r.gebied_code
    WHERE NOT (o.van_code IS NOT NULL AND o.naar_code IS NULL)
),

-- each row with the requested area(s) it lies in
binnen AS (
    SELECT c.indicator, c.rol, r.*, g.gebied
    FROM rijen AS r
    JOIN componenten AS c USING (bron, variabele)
    JOIN (SELECT unnest(p_gebieden) AS gebied) AS g
        ON g.gebied IN (r.gebied_code, 'WK' || substr(r.gebied_code, 3, 6), 'GM' || substr(r.gebied_code, 3, 4))
    LEFT JOIN marts.dim_variabele AS v USING (bron, variabele)
    -- a stock's value is its last period of the year
    QUALIFY v.soort IS DISTINCT FROM 'voorraad' OR r.periode_nr IS NULL
         OR r.periode_nr = max(r.periode_nr) OVER (PARTITION BY r.bron, r.variabele, r.gebied_code, r.jaar)
),

teller AS (
    SELECT * FROM binnen WHERE rol = 'teller' AND jaar = p_jaar
),

noemer AS (
    SELECT n.*
    FROM binnen AS n
    SEMI JOIN teller AS t USING (indicator, gebied)
    WHERE n.rol = 'noemer'
    QUALIFY n.jaar = max(n.jaar) OVER (PARTITION BY n.indicator, n.gebied, n.bron, n.variabele, n.gebied_code)
),

gebruikt AS (
    SELECT DISTINCT rol, bron, variabele, gebied_code, jaar, periode_nr, load_id FROM teller
    UNION
    SELECT DISTINCT rol, bron, variabele, gebied_code, jaar, periode_nr, load_id FROM noemer
)

SELECT load_id, rol, bron, count(*) AS rijen, min(jaar) AS van_jaar, max(jaar) AS tot_jaar
FROM gebruikt
GROUP BY ALL
ORDER BY load_id, rol, bron;
