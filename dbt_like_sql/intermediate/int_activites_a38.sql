/* ---
description: >
  The 38 A38 activities (NAF rév. 2 aggregated level) with their French label, NAF section and
  whether they count as industry under the configured scope (INDICATORS.md: 'BE' = sections B-E,
  the default; 'C' = manufacturing only; variable industry_scope).
columns:
  activite_a38: A38 code
  libelle_a38: French label
  section_naf: NAF section letter
  est_industrie: Industry under the configured scope
tests:
  - unique: [activite_a38]
  - row_count: {min: 38, max: 38}
--- */
with activites(activite_a38, libelle_a38) as (
    values
    ('AZ', 'Agriculture, sylviculture et pêche'),
    ('BZ', 'Industries extractives'),
    ('CA', 'Fabrication de denrées alimentaires, de boissons et de produits à base de tabac'),
    ('CB', 'Fabrication de textiles, industries de l''habillement, industrie du cuir et de la chaussure'),
    ('CC', 'Travail du bois, industries du papier et imprimerie'),
    ('CD', 'Cokéfaction et raffinage'),
    ('CE', 'Industrie chimique'),
    ('CF', 'Industrie pharmaceutique'),
    ('CG', 'Fabrication de produits en caoutchouc, en plastique et d''autres produits minéraux non métalliques'),
    ('CH', 'Métallurgie et fabrication de produits métalliques, hors machines et équipements'),
    ('CI', 'Fabrication de produits informatiques, électroniques et optiques'),
    ('CJ', 'Fabrication d''équipements électriques'),
    ('CK', 'Fabrication de machines et équipements n.c.a.'),
    ('CL', 'Fabrication de matériels de transport'),
    ('CM', 'Autres industries manufacturières ; réparation et installation de machines'),
    ('DZ', 'Production et distribution d''électricité, de gaz, de vapeur et d''air conditionné'),
    ('EZ', 'Production et distribution d''eau ; assainissement, gestion des déchets et dépollution'),
    ('FZ', 'Construction'),
    ('GZ', 'Commerce ; réparation d''automobiles et de motocycles'),
    ('HZ', 'Transports et entreposage'),
    ('IZ', 'Hébergement et restauration'),
    ('JA', 'Édition, audiovisuel et diffusion'),
    ('JB', 'Télécommunications'),
    ('JC', 'Activités informatiques et services d''information'),
    ('KZ', 'Activités financières et d''assurance'),
    ('LZ', 'Activités immobilières'),
    ('MA', 'Activités juridiques, comptables, de gestion, d''architecture, d''ingénierie, de contrôle et d''analyses techniques'),
    ('MB', 'Recherche-développement scientifique'),
    ('MC', 'Autres activités spécialisées, scientifiques et techniques'),
    ('NZ', 'Activités de services administratifs et de soutien'),
    ('OZ', 'Administration publique'),
    ('PZ', 'Enseignement'),
    ('QA', 'Activités pour la santé humaine'),
    ('QB', 'Hébergement médico-social et social et action sociale sans hébergement'),
    ('RZ', 'Arts, spectacles et activités récréatives'),
    ('SZ', 'Autres activités de services'),
    ('TZ', 'Activités des ménages en tant qu''employeurs'),
    ('UZ', 'Activités extra-territoriales')
)
select
    activite_a38,
    libelle_a38,
    left(activite_a38, 1) as section_naf,
    case getvariable('industry_scope')
        when 'C' then left(activite_a38, 1) = 'C'
        else left(activite_a38, 1) in ('B', 'C', 'D', 'E')
    end as est_industrie
from activites
