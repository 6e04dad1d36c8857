-- The target-status rule, once (used by fct_doelen and by the dashboard for another target year).
CREATE OR REPLACE MACRO wm_doelstatus(peiljaar, doeljaar, trendjaren, projectie, verandering,
                                      doel_gemeten, doel_verandering) AS
    CASE
        WHEN peiljaar >= doeljaar AND NOT doel_gemeten THEN 'geen data'
        WHEN peiljaar >= doeljaar AND doel_verandering = 'slechter' THEN 'niet gehaald'
        WHEN peiljaar >= doeljaar THEN 'gehaald'
        WHEN trendjaren < 2 OR projectie IS NULL THEN 'geen data'
        -- rounded: a trend through scores of exactly 100 must not flip on the last bit of a float sum
        WHEN round(projectie, 9) >= 100 AND verandering <> 'slechter' THEN 'op koers'
        WHEN round(projectie, 9) < 100 AND verandering = 'slechter' THEN 'uit koers'
        ELSE 'risico'
    END;

-- Test statistic of the change from an earlier (0) to a later (1) value; positive = the value went up.
--   poisson:    log rate ratio, SE = sqrt(1/x1 + 1/x0), a zero count counted as 0.5;
--   binomiaal:  two-proportion z-test with the pooled proportion;
--   gemiddelde: z = (m1 - m0) / sqrt(sd1^2/n1 + sd0^2/n0).
CREATE OR REPLACE MACRO wm_z_verschil(onzekerheid, teller1, noemer1, waarde1, n1, sd1,
                                      teller0, noemer0, waarde0, n0, sd0) AS
    CASE onzekerheid
        WHEN 'poisson' THEN
            ln((greatest(teller1, 0.5) / coalesce(noemer1, 1)) / (greatest(teller0, 0.5) / coalesce(noemer0, 1)))
            / sqrt(1 / greatest(teller1, 0.5) + 1 / greatest(teller0, 0.5))
        WHEN 'binomiaal' THEN
            (waarde1 / 100.0 - waarde0 / 100.0) / nullif(sqrt(
                ((waarde1 / 100.0 * n1 + waarde0 / 100.0 * n0) / (n1 + n0))
                * (1 - (waarde1 / 100.0 * n1 + waarde0 / 100.0 * n0) / (n1 + n0))
                * (1.0 / n1 + 1.0 / n0)), 0)
        WHEN 'gemiddelde' THEN
            (waarde1 - waarde0) / nullif(sqrt(sd1 * sd1 / n1 + sd0 * sd0 / n0), 0)
    END;

-- Polarity-aware verdict from the test statistic (positive = better after the polarity flip).
CREATE OR REPLACE MACRO wm_oordeel(z_beter, z_kritiek) AS
    CASE WHEN z_beter > z_kritiek THEN 'beter' WHEN z_beter < -z_kritiek THEN 'slechter' ELSE 'gelijk' END;

-- Provenance of indicator values, derived on demand instead of carried as a list on every mart row: the
-- loads whose current rows (not superseded) feed the values of one indicator (or every indicator, when
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

rijen AS (
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
