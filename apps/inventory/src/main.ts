import { CatalogResolver, graphqlFor } from '@agora/graphql';
import { runContextApp } from '@agora/host';
import { inventoryContext } from '@agora/inventory';

await runContextApp(inventoryContext, { graphql: graphqlFor([CatalogResolver]) });
