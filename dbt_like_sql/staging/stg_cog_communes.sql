/* ---
description: >
  Communes, arrondissements municipaux and communes déléguées/associées of the latest COG.
columns:
  type_commune: COM, ARM, COMD or COMA
  code_commune: Code
  libelle_commune: Name with article
  code_departement: Département code
  code_region: Region code
  code_commune_parent: Parent commune of an ARM, COMD or COMA
  annee_cog: COG year
tests:
  - unique: [type_commune, code_commune]
  - not_null: [type_commune, code_commune]
  - accepted_values: {column: type_commune, values: [COM, ARM, COMD, COMA]}
--- */
select
    TYPECOM as type_commune,
    COM as code_commune,
    LIBELLE as libelle_commune,
    DEP as code_departement,
    REG as code_region,
    COMPARENT as code_commune_parent,
    millesime as annee_cog
from raw_cog_communes
where millesime = (select max(millesime) from raw_cog_communes)
