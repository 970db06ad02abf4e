import { graphqlFor, PaymentsResolver } from '@agora/graphql';
import { runContextApp } from '@agora/host';
import { paymentContext } from '@agora/payment';

await runContextApp(paymentContext, { graphql: graphqlFor([PaymentsResolver]) });
