import { runAction } from '@wms/core/action';
import { runAutoMergeAction } from './main';
import { spec } from './spec';

void runAction(spec, (inputs, ctx) => runAutoMergeAction(inputs, ctx));
