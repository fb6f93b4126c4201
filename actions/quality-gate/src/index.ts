import { runAction } from '@wms/core/action';
import { runQualityGateAction } from './main';
import { spec } from './spec';

void runAction(spec, (inputs, ctx) => runQualityGateAction(inputs, ctx));
