import { AlsoBoughtResolver, graphqlFor, RecommendationsResolver } from '@agora/graphql';
import { runContextApp } from '@agora/host';
import { recommendationContext } from '@agora/recommendation';

await runContextApp(recommendationContext, { graphql: graphqlFor([RecommendationsResolver, AlsoBoughtResolver]) });
