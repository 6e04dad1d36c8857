-- Yearly values per variable at every level. A value delivered for an area is used as delivered (a published
-- total is not replaced by a sum of rounded buurt values); where an area has no delivered value, counts are
-- summed upwards from the lowest level delivered (buurt -> wijk -> gemeente) and survey means and
-- percentages are n-weighted (pooled sd). Rates are never averaged here: int_indicator_waarden sums numerator
-- and denominator over the same areas, and weights survey results by population. The Leefbaarometer score is
-- not additive and is kept only as delivered.
-- The sums are built in two steps (buurten -> wijk, then wijken -> gemeente) from partial sums, which gives
-- the same result as summing the buurten of a gemeente directly and reads every buurt row once.
-- Partial sums of a group of rows: everything the weighted mean and the pooled sd need.
WITH buurten_per_wijk AS (
    SELECT
        bron, variabele, 'WK' || substr(gebied_code, 3, 6) AS gebied_code, jaar,
        any_value(aggregatie) AS aggregatie,
        sum(waarde) AS som,
        sum(n * waarde) AS som_nw,
        sum(n) FILTER (WHERE waarde IS NOT NULL) AS som_n,
        sum(n * sd * sd) AS som_nsd2,
        sum(n) FILTER (WHERE sd IS NOT NULL) AS som_n_sd,
        sum(n_eff) FILTER (WHERE waarde IS NOT NULL) AS som_neff,
        min(perioden) AS perioden, max(verwacht) AS verwacht, bool_and(volledig) AS volledig,
        min(bronjaar) AS bronjaar, count(*) AS onderdelen, max(omzetting) AS omzetting
    FROM int_waarnemingen_jaar
    WHERE niveau = 'buurt' AND aggregatie <> 'geen'
    GROUP BY bron, variabele, 'WK' || substr(gebied_code, 3, 6), jaar
),

-- a gemeente is built from its buurten (through their wijken) when there are any for this variable and
-- year, else from its delivered wijken
wijken AS (
    SELECT * FROM buurten_per_wijk
    UNION ALL
    SELECT bron, variabele, gebied_code, jaar, aggregatie, waarde, n * waarde,
           CASE WHEN waarde IS NOT NULL THEN n END, n * sd * sd, CASE WHEN sd IS NOT NULL THEN n END,
           CASE WHEN waarde IS NOT NULL THEN n_eff END, perioden, verwacht, volledig, bronjaar, 1, omzetting
    FROM int_waarnemingen_jaar AS j
    WHERE niveau = 'wijk' AND aggregatie <> 'geen'
      AND NOT EXISTS (SELECT 1 FROM buurten_per_wijk AS b WHERE b.bron = j.bron AND b.variabele = j.variabele
                      AND b.jaar = j.jaar AND substr(b.gebied_code, 3, 4) = substr(j.gebied_code, 3, 4))
),

wijken_per_gemeente AS (
    SELECT
        bron, variabele, 'GM' || substr(gebied_code, 3, 4) AS gebied_code, jaar,
        any_value(aggregatie) AS aggregatie,
        sum(som) AS som, sum(som_nw) AS som_nw, sum(som_n) AS som_n, sum(som_nsd2) AS som_nsd2,
        sum(som_n_sd) AS som_n_sd, sum(som_neff) AS som_neff, min(perioden) AS perioden, max(verwacht) AS verwacht,
        bool_and(volledig) AS volledig, min(bronjaar) AS bronjaar, sum(onderdelen) AS onderdelen,
        max(omzetting) AS omzetting
    FROM wijken
    GROUP BY bron, variabele, 'GM' || substr(gebied_code, 3, 4), jaar
),

opgeteld AS (
    SELECT
        bron, variabele, gebied_code, niveau, jaar,
        CASE WHEN aggregatie = 'som' THEN som ELSE som_nw / nullif(som_n, 0) END AS waarde,
        CASE WHEN aggregatie = 'som' THEN NULL ELSE som_n END AS n,
        CASE WHEN aggregatie = 'gewogen_gemiddelde' THEN sqrt(som_nsd2 / nullif(som_n_sd, 0)) END AS sd,
        CASE WHEN aggregatie = 'som' THEN NULL ELSE som_neff END AS n_eff,
        perioden, verwacht, volledig, bronjaar, onderdelen, omzetting
    FROM (
        SELECT *, 'wijk' AS niveau FROM buurten_per_wijk
        UNION ALL
        SELECT *, 'gemeente' AS niveau FROM wijken_per_gemeente
    )
),

geleverd AS (
    SELECT j.bron, j.variabele, j.gebied_code, j.niveau, j.jaar, j.waarde, j.n, j.sd, j.n_eff, j.perioden,
           j.verwacht, j.volledig, j.bronjaar, 1 AS onderdelen, j.omzetting
    FROM int_waarnemingen_jaar AS j
)

-- a delivered value wins; a delivered empty value (not published) gives way to the sum when there is one
SELECT g.*, false AS opgeteld FROM geleverd AS g
WHERE g.waarde IS NOT NULL
   OR NOT EXISTS (SELECT 1 FROM opgeteld AS o WHERE o.bron = g.bron AND o.variabele = g.variabele
                  AND o.gebied_code = g.gebied_code AND o.jaar = g.jaar)
UNION ALL
SELECT o.*, true AS opgeteld FROM opgeteld AS o
ANTI JOIN (SELECT * FROM geleverd WHERE waarde IS NOT NULL) AS g USING (bron, variabele, gebied_code, jaar)
