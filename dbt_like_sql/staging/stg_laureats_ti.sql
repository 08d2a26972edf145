/* ---
description: >
  Lauréats of the Territoires d'industrie fund with aid, investment and jobs (programme extract;
  synthetic in the sample, unavailable in live mode unless configured).
columns:
  id_projet: Project id
  siren: SIREN of the beneficiary (first 9 digits of siret)
  siret: SIRET when 14 digits were given
  identifiant_statut: siret, siren, absent or invalide (not 9 or 14 digits, or failing the Luhn key)
  montant_aide: Aid granted, EUR
  montant_investissement: Investment, EUR
  emplois: Jobs announced
tests:
  - unique: [id_projet]
--- */
with ids as (
    select *, regexp_replace(coalesce(siret, ''), '[^0-9]', '', 'g') as id_chiffres
    from raw_laureats_ti
    where millesime = (select max(millesime) from raw_laureats_ti)
),
cles as (
    -- the SIREN/SIRET key (La Poste's exception included): dbt_like_sql/macros/identifiants.sql
    select *, identifiant_entreprise_valide(id_chiffres) as id_valide
    from ids
)
select
    id_projet,
    entreprise,
    intitule_projet,
    mesure,
    filiere,
    case when id_valide then left(id_chiffres, 9) end as siren,
    case when id_valide and length(id_chiffres) = 14 then id_chiffres end as siret,
    case
        when id_valide and length(id_chiffres) = 14 then 'siret'
        when id_valide then 'siren'
        when id_chiffres = '' then 'absent'
        else 'invalide'
    end as identifiant_statut,
    lpad(coalesce(code_postal, ''), 5, '0') as code_postal,
    nom_commune,
    annee,
    cast(montant_aide as double) as montant_aide,
    cast(montant_investissement as double) as montant_investissement,
    cast(emplois as double) as emplois,
    millesime
from cles
