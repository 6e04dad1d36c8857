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
