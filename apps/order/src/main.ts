import { graphqlFor, OrdersResolver } from '@agora/graphql';
import { runContextApp } from '@agora/host';
import { orderContext } from '@agora/order';

await runContextApp(orderContext, { graphql: graphqlFor([OrdersResolver]) });
