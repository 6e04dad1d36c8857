-- One row per area the figures are shown on: the areas of each gemeente's analysis division
-- (dim_analyse_indeling), with its level, place in the hierarchy, name and geometry. A gemeente whose every
-- area is carried into a newer division (a merger, through a crosswalk or the map) is not shown on its own.
WITH analyse_indeling AS (
    SELECT gemeente_code, indeling FROM marts.dim_analyse_indeling
),

gebieden AS (
    SELECT d.*
    FROM marts.dim_indeling_gebied AS d
    JOIN analyse_indeling AS a ON a.gemeente_code = d.gemeente_code AND a.indeling = d.indeling
),

-- gemeenten that keep at least one of their own areas
zichtbaar AS (
    SELECT DISTINCT g.gemeente_code
    FROM gebieden AS g
    JOIN marts.fct_omzetting AS o
        ON o.van_indeling = g.indeling AND o.van_code = g.gebied_code AND o.naar_indeling = g.indeling
)

SELECT
    g.gebied_code,
    g.niveau,
    g.gebied_naam,
    g.gemeente_code,
    g.wijk_code,
    g.geometrie,
    g.indeling
FROM gebieden AS g
SEMI JOIN zichtbaar USING (gemeente_code)
ORDER BY g.gebied_code
