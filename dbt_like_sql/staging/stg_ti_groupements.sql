/* ---
description: >
  Groupements (EPCI, EPT or single communes) member of each territory, from the latest ANCT list.
  For nature_juridique COM the SIREN is the commune's SIREN, not its INSEE code.
columns:
  id_ti: Territory id
  siren_groupement: SIREN of the groupement (of the commune for COM)
  lib_groupement: Groupement name
  nature_juridique: CC, CA, CU, METRO, MET69, EPT or COM
tests:
  - unique: [id_ti, siren_groupement]
  - not_null: [id_ti, siren_groupement, nature_juridique]
--- */
select id_ti, lib_ti, siren_groupement, lib_groupement, nature_juridique, annee_cog, millesime
from raw_ti_groupements
where millesime = (select max(millesime) from raw_ti_groupements)
