#include "preprocess/pix_ptr.h"

#include <leptonica/allheaders.h>

namespace liseur::preprocess {

void PixDeleter::operator()(Pix* pix) const {
  if (pix) pixDestroy(&pix);
}

}  // namespace liseur::preprocess
