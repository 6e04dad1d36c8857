-- The target-status rule, once (used by fct_doelen and by the dashboard for another target year).
CREATE OR REPLACE MACRO wm_doelstatus(peiljaar, doeljaar, trendjaren, projectie, verandering,
                                      doel_gemeten, doel_verandering) AS
    CASE
        WHEN peiljaar >= doeljaar AND NOT doel_gemeten THEN 'geen data'
        WHEN peiljaar >= doeljaar AND doel_verandering = 'slechter' THEN 'niet gehaald'
        WHEN peiljaar >= doeljaar THEN 'gehaald'
        WHEN trendjaren < 2 OR projectie IS NULL THEN 'geen data'
        WHEN projectie >= 100 AND verandering <> 'slechter' THEN 'op koers'
        WHEN projectie < 100 AND verandering = 'slechter' THEN 'uit koers'
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
