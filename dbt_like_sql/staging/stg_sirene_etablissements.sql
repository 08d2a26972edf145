/* ---
description: >
  Sirene establishments, only the columns the pipeline uses (DuckDB pushes the projection down
  into the Parquet scan, so the national file is never read whole).
columns:
  siret: SIRET
  siren: SIREN
  est_siege: Head office
  code_geo: Commune (or arrondissement) code in the current COG
  actif: Establishment active (etatAdministratifEtablissement = A)
  naf: NAF rév. 2 code with a dot
tests:
  - not_null: [siret, siren]
--- */
select
    siret,
    siren,
    coalesce(etablissementSiege, false) as est_siege,
    codeCommuneEtablissement as code_geo,
    codePostalEtablissement as code_postal,
    etatAdministratifEtablissement = 'A' as actif,
    activitePrincipaleEtablissement as naf,
    annee_cog,
    millesime
from raw_sirene_etablissements
where millesime = (select max(millesime) from raw_sirene_etablissements)
