/* ---
description: >
  Communes with their SIREN, postcodes and population (Etalab découpage administratif): used to
  resolve groupements of type COM and to place lauréats from a postcode and a commune name.
columns:
  code_commune: Commune or arrondissement code
  nom_commune: Name
  type_commune: commune-actuelle, arrondissement-municipal, commune-deleguee...
  siren_commune: SIREN of the commune
  codes_postaux: Postcodes
  population: Municipal population
tests:
  - not_null: [code_commune]
--- */
select
    code as code_commune,
    nom as nom_commune,
    "type" as type_commune,
    siren as siren_commune,
    codesPostaux as codes_postaux,
    population,
    millesime as annee_cog
from raw_communes_siren
where millesime = (select max(millesime) from raw_communes_siren)
