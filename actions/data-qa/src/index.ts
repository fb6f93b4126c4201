import { runAction } from '@wms/core/action';
import { runDataQaAction } from './main';
import { spec } from './spec';

void runAction(spec, (inputs, ctx) => runDataQaAction(inputs, ctx));
