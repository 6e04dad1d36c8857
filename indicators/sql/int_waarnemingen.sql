-- Yearly values at every level. Counts are summed upwards from the lowest level delivered (buurt -> wijk ->
-- gemeente); rates are never averaged. Survey means and percentages are n-weighted (pooled sd, see
-- docs/methodology.md). Aggregates replace delivered values at the same level, so a wijk always equals the
-- sum of its buurten. The Leefbaarometer score is not additive and is kept only as delivered.
WITH jaar AS (
    SELECT j.*, v.aggregatie
    FROM marts.int_waarnemingen_jaar AS j
    JOIN marts.dim_variabele AS v USING (bron, variabele)
),

kinderen AS (
    -- each buurt contributes to its wijk and gemeente, each wijk to its gemeente
    SELECT *, 'WK' || substr(gebied_code, 3, 6) AS ouder, 'wijk' AS ouder_niveau
    FROM jaar WHERE niveau = 'buurt' AND aggregatie <> 'geen'
    UNION ALL
    SELECT *, 'GM' || substr(gebied_code, 3, 4), 'gemeente'
    FROM jaar WHERE niveau = 'buurt' AND aggregatie <> 'geen'
    UNION ALL
    SELECT j.*, 'GM' || substr(j.gebied_code, 3, 4), 'gemeente'
    FROM jaar AS j
    WHERE j.niveau = 'wijk' AND j.aggregatie <> 'geen'
      -- a gemeente is built from its buurten when there are any for this variable and year
      AND NOT EXISTS (SELECT 1 FROM jaar AS b WHERE b.niveau = 'buurt' AND b.bron = j.bron
                      AND b.variabele = j.variabele AND b.jaar = j.jaar
                      AND substr(b.gebied_code, 3, 4) = substr(j.gebied_code, 3, 4))
),

opgeteld AS (
    SELECT
        bron, variabele, ouder AS gebied_code, ouder_niveau AS niveau, jaar,
        CASE WHEN any_value(aggregatie) = 'som' THEN sum(waarde)
             ELSE sum(n * waarde) / nullif(sum(n) FILTER (WHERE waarde IS NOT NULL), 0) END AS waarde,
        CASE WHEN any_value(aggregatie) = 'som' THEN NULL ELSE sum(n) FILTER (WHERE waarde IS NOT NULL) END AS n,
        CASE WHEN any_value(aggregatie) = 'gewogen_gemiddelde'
             THEN sqrt(sum(n * sd * sd) / nullif(sum(n) FILTER (WHERE sd IS NOT NULL), 0)) END AS sd,
        min(perioden) AS perioden,
        max(verwacht) AS verwacht,
        bool_and(volledig) AS volledig,
        min(bronjaar) AS bronjaar,
        count(*) AS onderdelen
    FROM kinderen
    GROUP BY ALL
),

geleverd AS (
    SELECT j.bron, j.variabele, j.gebied_code, j.niveau, j.jaar, j.waarde, j.n, j.sd, j.perioden, j.verwacht,
           j.volledig, j.bronjaar, 1 AS onderdelen
    FROM jaar AS j
    ANTI JOIN opgeteld AS o USING (bron, variabele, gebied_code, jaar)
)

SELECT *, false AS opgeteld FROM geleverd
UNION ALL
SELECT *, true AS opgeteld FROM opgeteld
