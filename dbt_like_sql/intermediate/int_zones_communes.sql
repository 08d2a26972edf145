/* ---
description: >
  The communes (target COG) of every zone a portrait shows: each territory (TI), and the four
  comparators of INDICATORS.md: France (every commune), each region (REGION), all territories
  together (ENSEMBLE_TI, each commune once even when it belongs to two territories) and France
  outside the territories (HORS_TI). Indicators and sectors are summed over these sets, so the
  territories and their comparators are computed the same way. France = ENSEMBLE_TI + HORS_TI.
columns:
  type_zone: TI, FRANCE, REGION, ENSEMBLE_TI or HORS_TI
  code_zone: Territory id, region code, or FRANCE / ENSEMBLE_TI / HORS_TI
  code_commune: Commune (target COG)
tests:
  - unique: [type_zone, code_zone, code_commune]
  - not_null: [type_zone, code_zone, code_commune]
  - accepted_values: {column: type_zone, values: [TI, FRANCE, REGION, ENSEMBLE_TI, HORS_TI]}
  - assert:
      name: communes_ti_dans_cog_cible
      sql: "select * from int_ti_communes where code_commune not in (select code_commune from int_communes)"
--- */
select 'TI' as type_zone, m.id_ti as code_zone, m.code_commune
from int_ti_communes m
-- a code of the TI list that the target COG does not know cannot be placed in France or a region
join int_communes c using (code_commune)
union all
select 'FRANCE', 'FRANCE', code_commune from int_communes
union all
select 'REGION', code_region, code_commune from int_communes
union all
select 'ENSEMBLE_TI', 'ENSEMBLE_TI', code_commune from int_communes where est_ti
union all
select 'HORS_TI', 'HORS_TI', code_commune from int_communes where not est_ti
