#include "preprocess/pix_ptr.h"

#include <leptonica/allheaders.h>

namespace liseur::preprocess {

void PixDeleter::operator()(Pix* pix) const {
  if (pix) pixDestroy(&pix);
}

PixPtr clonePix(Pix* pix) {
  return PixPtr(pix ? pixClone(pix) : nullptr);
}

}  // namespace liseur::preprocess
