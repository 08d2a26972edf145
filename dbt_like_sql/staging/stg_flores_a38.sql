/* ---
description: >
  Flores establishments (UNIT_LOC) and salaried posts at 31/12 (EMPL3112) by commune, A38
  activity and size band. Only commune rows (GEO_OBJECT = COM; the file also carries
  arrondissements and higher levels, which would double count). Secret cells have no value.
columns:
  millesime: Flores vintage
  annee_cog: COG year of code_geo
  code_geo: Commune code
  activite_a38: A38 code, '_T' for all activities
  tranche_effectif: Size band, '_T' for all sizes
  mesure: UNIT_LOC or EMPL3112
  annee: Year of the observation
  valeur: Value, null when secret
  secret: True when Insee suppressed the value (statistical confidentiality)
tests:
  - not_null: [code_geo, activite_a38, tranche_effectif, mesure, annee]
  - accepted_values: {column: mesure, values: [UNIT_LOC, EMPL3112]}
--- */
select
    millesime,
    annee_cog,
    GEO as code_geo,
    ACTIVITY as activite_a38,
    NUMBER_EMPL as tranche_effectif,
    FLORES_MEASURE as mesure,
    cast(TIME_PERIOD as integer) as annee,
    cast(OBS_VALUE as double) as valeur,
    coalesce(OBS_STATUS = 'C', false) or OBS_VALUE is null as secret
from raw_flores_a38
where GEO_OBJECT = 'COM'
  and coalesce(LEGAL_FORM_WITH_PUBLIC, '_T') = '_T'
