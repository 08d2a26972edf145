/* ---
description: >
  Flores establishments (UNIT_LOC) and salaried posts at 31/12 (EMPL3112) by commune, A38
  activity and size band, for all employers but private households (LEGAL_FORM_WITH_PUBLIC
  1T9X7, the one legal form Insee publishes). Commune rows (GEO_OBJECT COM); arrondissement rows
  (ARM) only for a commune the file does not also give as a whole, which would double count it.
  The file's other levels (départements, regions, France, employment zones...) are counted in the
  raw asset's metadata and not read. A cell Insee did not disseminate (OBS_STATUS K) has no value
  and is secret; a W cell is published (it includes another category's data) and is summed.
columns:
  millesime: Flores vintage
  annee_cog: COG year of code_geo
  code_geo: Commune or arrondissement code
  activite_a38: A38 code, '_T' for all activities
  tranche_effectif: Size band, '_T' for all sizes
  mesure: UNIT_LOC or EMPL3112
  annee: Year of the observation
  valeur: Value, null when secret
  statut: OBS_STATUS (A normal, K not disseminated, W includes another category)
  secret: True when Insee did not disseminate the value (statistical confidentiality)
tests:
  - not_null: [code_geo, activite_a38, tranche_effectif, mesure, annee, statut]
  - accepted_values: {column: mesure, values: [UNIT_LOC, EMPL3112]}
  - accepted_values: {column: statut, values: [A, K, W]}
--- */
with lignes as (
    select *
    from raw_flores_a38
    where LEGAL_FORM_WITH_PUBLIC = '1T9X7' and GEO_OBJECT in ('COM', 'ARM')
),
communes_entieres as (
    select distinct millesime, GEO as code_commune from lignes where GEO_OBJECT = 'COM'
),
parents as (
    select code_commune as code_arrondissement, code_commune_parent
    from stg_cog_communes
    where type_commune = 'ARM'
)
select
    l.millesime,
    l.annee_cog,
    l.GEO as code_geo,
    l.ACTIVITY as activite_a38,
    l.NUMBER_EMPL as tranche_effectif,
    l.FLORES_MEASURE as mesure,
    cast(l.TIME_PERIOD as integer) as annee,
    cast(l.OBS_VALUE as double) as valeur,
    l.OBS_STATUS as statut,
    l.OBS_STATUS = 'K' or l.OBS_VALUE is null as secret
from lignes l
left join parents p on l.GEO_OBJECT = 'ARM' and p.code_arrondissement = l.GEO
left join communes_entieres e on e.millesime = l.millesime and e.code_commune = p.code_commune_parent
where l.GEO_OBJECT = 'COM' or e.code_commune is null
