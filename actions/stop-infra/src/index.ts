import { runAction } from '@wms/core/action';
import { runStopInfraAction } from './main';
import { spec } from './spec';

void runAction(spec, (inputs, ctx) => runStopInfraAction(inputs, ctx));
